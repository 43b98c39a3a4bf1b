import { createRouter, createWebHistory } from 'vue-router';
import { loadMe, session } from './session';
import LoginView from './views/LoginView.vue';
import HallView from './views/HallView.vue';

// The hall and the login are the first page; every other view loads when it is opened.
export const router = createRouter({
  history: createWebHistory('/app/'),
  routes: [
    { path: '/', redirect: '/hall' },
    { path: '/login', component: LoginView, meta: { public: true, title: '登录' } },
    { path: '/hall', component: HallView, meta: { tab: 'hall', title: '议事厅' } },
    { path: '/hall/new', component: () => import('./views/NewThreadView.vue'), meta: { tab: 'hall', title: '发帖' } },
    { path: '/threads/:id', component: () => import('./views/ThreadView.vue'), meta: { tab: 'hall', title: '帖子' } },
    { path: '/repairs', component: () => import('./views/RepairsView.vue'), meta: { tab: 'repairs', title: '报修' } },
    { path: '/repairs/new', component: () => import('./views/NewRepairView.vue'), meta: { tab: 'repairs', title: '我要报修' } },
    { path: '/repairs/:id', component: () => import('./views/RepairView.vue'), meta: { tab: 'repairs', title: '报修详情' } },
    { path: '/opinions', component: () => import('./views/OpinionsView.vue'), meta: { tab: 'opinions', title: '吐槽' } },
    { path: '/ballots', component: () => import('./views/BallotsView.vue'), meta: { tab: 'ballots', title: '表决' } },
    { path: '/ballots/:id', component: () => import('./views/BallotView.vue'), meta: { tab: 'ballots', title: '表决详情' } },
    { path: '/chat', component: () => import('./views/ChatView.vue'), meta: { tab: 'chat', title: '助手' } },
    { path: '/me', component: () => import('./views/MeView.vue'), meta: { tab: 'me', title: '我的' } },
    { path: '/inbox', component: () => import('./views/InboxView.vue'), meta: { tab: 'me', title: '消息' } },
    { path: '/:rest(.*)*', redirect: '/hall' },
  ],
});

router.beforeEach(async to => {
  if (to.meta.public) return true;
  if (!session.token) return { path: '/login', query: { next: to.fullPath } };
  if (!session.me && !(await loadMe())) return { path: '/login', query: { next: to.fullPath } };
  return true;
});

router.afterEach(to => {
  document.title = `${(to.meta.title as string) ?? ''} · 社区通`;
});
