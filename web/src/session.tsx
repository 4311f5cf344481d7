// The signed-in user, loaded once per session and shared with every page.

import { createContext, useContext } from 'react';
import type { Me } from './api';

export interface Session {
  me: Me;
  /** Fetches /me again, e.g. after a change to the caller's groups. */
  refreshMe: () => void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession must be used inside a signed-in page');
  return session;
}

/** Whether the user may manage a group: group admins and platform admins. */
export function canManageGroup(me: Me, myRole: string | null): boolean {
  return me.is_admin || myRole === 'admin';
}

/** Whether the signed-in user may manage `group`, from the roles /me lists. */
export function useCanManage(group: string): boolean {
  const { me } = useSession();
  return canManageGroup(me, me.groups.find((g) => g.name === group)?.role ?? null);
}
