import { createApp } from 'vue';
import {
  Button, Cell, CellGroup, Empty, Field, Form, List, Radio, RadioGroup, Step, Steps, Switch, Tabbar, TabbarItem, Tag,
} from 'vant';
import 'vant/lib/index.css';
import './theme.css';
import App from './App.vue';
import { router } from './router';

const app = createApp(App);
for (const component of [Button, Cell, CellGroup, Empty, Field, Form, List, Radio, RadioGroup, Step, Steps, Switch, Tabbar, TabbarItem, Tag]) {
  app.use(component);
}
app.use(router).mount('#app');
