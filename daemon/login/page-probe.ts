/**
 * One look at the login page: which step it shows. Runs inside the page (Playwright sends the
 * function's source), so it must be self-contained. Visibility is judged like a person would:
 * an element that takes no space or is `visibility: hidden` is not there — IBKR's page keeps
 * its hidden steps in the DOM.
 */
import type { LoginSelectors } from '../config/login-schema.js';

export interface ProbeArgs {
  selectors: Pick<LoginSelectors, 'username' | 'error' | 'codeInput' | 'pushNotification' | 'secondFactorSelect' | 'loading'>;
  successText: string;
}

export interface PageState {
  success: boolean;
  /** Text of the first visible, non-empty error element. */
  error: string | null;
  code: boolean;
  push: boolean;
  loading: boolean;
  form: boolean;
  select: { options: string[]; selected: string | null } | null;
}

export function probePage(args: ProbeArgs): PageState {
  const shown = (el: Element): boolean => {
    const style = getComputedStyle(el);
    return style.visibility !== 'hidden' && style.display !== 'none' && el.getClientRects().length > 0;
  };
  const first = (selector: string): Element | null => {
    try {
      for (const el of Array.from(document.querySelectorAll(selector))) if (shown(el)) return el;
    } catch {
      // an invalid selector in the config finds nothing; the step timeout names what was missing
    }
    return null;
  };
  const text = (el: Element | null): string => ((el as HTMLElement | null)?.innerText ?? el?.textContent ?? '').trim();
  const s = args.selectors;
  let error: string | null = null;
  try {
    for (const el of Array.from(document.querySelectorAll(s.error))) {
      if (shown(el) && text(el)) {
        error = text(el);
        break;
      }
    }
  } catch {
    // as above
  }
  const select = first(s.secondFactorSelect) as HTMLSelectElement | null;
  return {
    success: (document.body?.innerText ?? '').includes(args.successText),
    error,
    code: first(s.codeInput) !== null,
    push: first(s.pushNotification) !== null,
    loading: first(s.loading) !== null,
    form: first(s.username) !== null,
    select: select && select.options
      ? { options: Array.from(select.options).map((o) => o.text.trim()), selected: select.selectedOptions[0]?.text.trim() ?? null }
      : null,
  };
}

/** A short description of a state for "nothing happened" messages (no page text: it could echo input). */
export function describeState(state: PageState | null): string {
  if (!state) return 'the page was navigating';
  const seen = (['form', 'code', 'push', 'loading'] as const).filter((k) => state[k]);
  if (state.select) seen.push('select' as never);
  return seen.length > 0 ? `showing ${seen.join(', ')}` : 'showing none of the configured elements';
}
