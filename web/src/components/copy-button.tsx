import { useState } from 'react';

/**
 * A button that copies a text to the clipboard and says, politely, whether it worked. The
 * clipboard needs a secure context (HTTPS or localhost); elsewhere it is missing, and the
 * message asks for a copy by hand.
 */
export function CopyButton({ text, label }: { readonly text: string; readonly label: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const copy = () => {
    if (typeof navigator.clipboard?.writeText !== 'function') {
      setState('failed');
      return;
    }
    navigator.clipboard.writeText(text).then(
      () => setState('copied'),
      () => setState('failed'),
    );
  };
  return (
    <span className="copy-button">
      <button type="button" className="button button-secondary button-small" onClick={copy}>
        {label}
      </button>
      <span role="status" className="muted">
        {state === 'copied' ? 'Copied.' : state === 'failed' ? 'Could not copy: select the text and copy it yourself.' : ''}
      </span>
    </span>
  );
}
