import { setupZonelessTestEnv } from 'jest-preset-angular/setup-env/zoneless';

// Zoneless TestBed (provideZonelessChangeDetection + errors rethrown): no zone.js needed.
setupZonelessTestEnv();
