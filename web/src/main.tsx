import { render } from 'preact';
import './styles/tokens.css';
import './styles/app.css';
import { App } from './app';
import { startRouter } from './router';
import { loadMe } from './state/session';
import { watchPushSubscription } from './components/PushOffer';

startRouter();
loadMe();
watchPushSubscription();  // the Web Push subscription checked again at each start with a session
render(<App />, document.getElementById('app')!);
