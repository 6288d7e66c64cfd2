import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { startSession } from './api/oidc';
import { App } from './app';
import './styles.css';

// The settings (and a sign-in the browser returns from) are read before the first render, so
// the sign-in page never changes its layout once shown.
void startSession().then((session) =>
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <App session={session} />
    </StrictMode>,
  ),
);
