import * as Dialog from '@radix-ui/react-dialog';
import { useEffect, useState } from 'react';
import { api, ApiError } from '../api/client';
import { ErrorText } from './form';

/**
 * A target's signing key (the v2 API returns it; v3alpha does not), with a copy button: the
 * target checks the signature of each call with it.
 */
export function SigningKey({ targetId }: { targetId: string }) {
  const [key, setKey] = useState<string>();
  const [error, setError] = useState<ApiError>();
  const [copied, setCopied] = useState('');

  useEffect(() => {
    api<{ target?: { signingKey?: string } }>('GET', `/v2/actions/targets/${encodeURIComponent(targetId)}`).then(
      (answer) => setKey(answer.target?.signingKey ?? ''),
      (caught: unknown) => setError(caught instanceof ApiError ? caught : new ApiError(0, 2, '', String(caught))),
    );
  }, [targetId]);

  const copy = async () => {
    if (key === undefined) return;
    try {
      await navigator.clipboard.writeText(key);
      setCopied('Copied to the clipboard.');
    } catch {
      setCopied('The browser refused the clipboard: select the key and copy it.');
    }
  };

  return (
    <div>
      <ErrorText error={error} />
      <div className="field">
        <label htmlFor="signing-key">Signing key</label>
        <div className="copy-row">
          <input id="signing-key" className="mono" readOnly value={key ?? ''} placeholder={key === undefined ? 'Loading…' : ''} onFocus={(event) => event.target.select()} />
          <button type="button" className="button" disabled={!key} onClick={() => void copy()}>
            Copy
          </button>
        </div>
        <p className="hint">The target checks the signature header of each call with this key. Keep it secret.</p>
        <p role="status" className="hint">{copied}</p>
      </div>
      <div className="dialog-actions">
        <Dialog.Close asChild>
          <button type="button" className="button">
            Close
          </button>
        </Dialog.Close>
      </div>
    </div>
  );
}
