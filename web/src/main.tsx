import { render } from 'preact';
import './styles/tokens.css';
import './styles/app.css';
import { App } from './app';
import { startRouter } from './router';
import { loadMe } from './state/session';

startRouter();
loadMe();
render(<App />, document.getElementById('app')!);
