import { bootstrapApplication } from '@angular/platform-browser';
import { App } from './app/app';
import { appConfig } from './app/app.config';
import { loadSession } from './app/session';

// The pCloud address and token come from the page's server, not from the bundle or the URL.
loadSession()
  .then((session) => bootstrapApplication(App, appConfig(session)))
  .catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    document.body.textContent = `The app could not start: ${message}`;
    console.error(error);
  });
