import { useId, useRef, type ReactNode } from 'react';

/**
 * A button whose action waits for a confirm step: a modal <dialog> (focus kept inside, Escape
 * cancels) says what will happen and offers Cancel and the action's own name. Every destructive
 * action in the dashboard goes through this one component.
 */
export function ConfirmButton({
  children,
  title,
  message,
  confirmLabel,
  onConfirm,
  disabled,
  className = 'btn btn-danger',
  label,
}: {
  /** The button's visible text. */
  children: ReactNode;
  /** The dialog's heading, a question: "Revoke the key Billing?" */
  title: string;
  /** What follows from it, in a sentence or two. */
  message?: ReactNode;
  /** The dialog's confirming button, named for the action ("Revoke key"). */
  confirmLabel: string;
  onConfirm: () => void;
  disabled?: boolean;
  className?: string;
  /** The button's accessible name when its text alone is ambiguous in a list ("Revoke Billing"). */
  label?: string;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const ids = useId();
  const close = () => dialog.current?.close();
  return (
    <>
      <button type="button" className={className} disabled={disabled} aria-label={label} aria-haspopup="dialog" onClick={() => dialog.current?.showModal()}>
        {children}
      </button>
      <dialog ref={dialog} className="confirm-dialog" aria-labelledby={`${ids}-title`} aria-describedby={message ? `${ids}-message` : undefined}>
        <h2 id={`${ids}-title`} className="confirm-title">
          {title}
        </h2>
        {message && (
          <div id={`${ids}-message`} className="confirm-message">
            {message}
          </div>
        )}
        <div className="confirm-actions">
          {/* Cancel first: it gets the dialog's initial focus, so Enter alone never confirms. */}
          <button type="button" className="btn" onClick={close} autoFocus>
            Cancel
          </button>
          <button
            type="button"
            className="btn btn-danger"
            onClick={() => {
              close();
              onConfirm();
            }}
          >
            {confirmLabel}
          </button>
        </div>
      </dialog>
    </>
  );
}
