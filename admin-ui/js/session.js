// Who is signed in, for the pages: an admin changes things; a read-only token only looks.
import { createContext, useContext } from './html.js';

export const SessionContext = createContext({ role: 'read', address: '' });

export function useSession() {
  return useContext(SessionContext);
}

export function useCanChange() {
  return useSession().role === 'admin';
}
