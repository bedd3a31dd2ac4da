// One confirmation dialog for the whole UI: a native <dialog> (modal, focus kept inside,
// Escape cancels), saying what will happen before anything that stops, restarts or deletes.
import { createContext, html, useContext, useEffect, useRef, useState } from '../html.js';

const ConfirmContext = createContext(async () => false);

export function useConfirm() {
  return useContext(ConfirmContext);
}

export function ConfirmProvider({ children }) {
  const [ask, setAsk] = useState(null);
  const dialog = useRef(null);
  const cancelButton = useRef(null);

  const confirm = (options) => new Promise((resolve) => setAsk({ ...options, resolve }));

  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (ask && !d.open) {
      d.showModal();
      // The safe choice has the focus: Enter on an unread dialog must not stop the gateway.
      cancelButton.current?.focus();
    }
    if (!ask && d.open) d.close();
  }, [ask]);

  const finish = (answer) => {
    const current = ask;
    setAsk(null);
    current?.resolve(answer);
  };

  return html`<${ConfirmContext.Provider} value=${confirm}>
    ${children}
    <dialog ref=${dialog} class="confirm" aria-labelledby="confirm-title" aria-describedby="confirm-body"
      onCancel=${(e) => { e.preventDefault(); finish(false); }}>
      ${ask ? html`<form method="dialog" onSubmit=${(e) => { e.preventDefault(); finish(true); }}>
        <h2 id="confirm-title">${ask.title}</h2>
        <div id="confirm-body" class="confirm-body">${ask.body}</div>
        <div class="dialog-actions">
          <button type="button" class="btn" ref=${cancelButton} onClick=${() => finish(false)}>Cancel</button>
          <button type="submit" class=${`btn ${ask.danger ? 'danger' : 'primary'}`}>${ask.confirmLabel ?? 'Confirm'}</button>
        </div>
      </form>` : null}
    </dialog>
  <//>`;
}
