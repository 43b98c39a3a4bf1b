import { computed, reactive, watch } from 'vue';
import { api, storeToken, storedToken, type Schemas } from './api/client';

const ELDER_KEY = 'cc.elder';

export const session = reactive({
  token: storedToken(),
  me: null as Schemas['Me'] | null,
  elder: localStorage.getItem(ELDER_KEY) === '1',
});

/** The community the app shows: the first verified membership's. */
export const communityId = computed(() => {
  const m = session.me?.memberships.find(x => x.communityId != null);
  return m ? Number(m.communityId) : 0;
});

export const roles = computed(() => new Set((session.me?.memberships ?? []).map(m => m.role)));
export const isPropertyStaff = computed(() => roles.value.has('property_staff'));
export const myUnitId = computed(() => {
  const m = session.me?.memberships.find(x => x.unitId != null);
  return m ? Number(m.unitId) : null;
});

watch(
  () => session.elder,
  elder => {
    localStorage.setItem(ELDER_KEY, elder ? '1' : '0');
    document.documentElement.classList.toggle('elder', elder);
  },
  { immediate: true },
);

export async function loadMe(): Promise<boolean> {
  if (!session.token) return false;
  const { data, response } = await api.GET('/v1/me');
  if (data) {
    session.me = data;
    return true;
  }
  if (response.status === 401) logout();
  return false;
}

export async function devLogin(handle: string): Promise<string | null> {
  const { data, error } = await api.POST('/v1/auth/dev-login', { body: { handle } });
  if (!data) return (error as { title?: string } | undefined)?.title ?? '登录失败';
  storeToken(data.token);
  session.token = data.token;
  session.me = data.user;
  return null;
}

export function logout() {
  storeToken(null);
  session.token = null;
  session.me = null;
}
