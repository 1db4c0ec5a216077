import { type ApplicationConfig, DOCUMENT, inject, provideBrowserGlobalErrorListeners, provideZonelessChangeDetection, signal } from '@angular/core';
import { DEMO_SESSION, type DemoSession } from './session';
import { tabHidden } from './tab-hidden';
import { providePCloud } from './zip-jobs.service';

/**
 * The app's providers: zoneless change detection and pCloud. The token is a signal, read when
 * each job starts: an app that refreshes its token sets the signal and the next job uses it.
 * Polling pauses while the tab is hidden (`paused`), and resumes at once when it is shown.
 */
export function appConfig(session: DemoSession): ApplicationConfig {
  const token = signal(session.auth);
  return {
    providers: [
      provideBrowserGlobalErrorListeners(),
      provideZonelessChangeDetection(),
      { provide: DEMO_SESSION, useValue: session },
      providePCloud(() => ({ apiUrl: session.apiUrl, auth: token, paused: tabHidden(inject(DOCUMENT)) })),
    ],
  };
}
