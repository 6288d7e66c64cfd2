import { Component, type ReactNode } from 'react';

/** A page that fails to render says so, instead of leaving a blank window. */
export class ErrorBoundary extends Component<{ children: ReactNode }, { error?: Error }> {
  override state: { error?: Error } = {};

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <div className="field-error" role="alert">
        This page failed to show: {this.state.error.message}. Reload the page; if it happens again, the service's log may say more.
      </div>
    );
  }
}
