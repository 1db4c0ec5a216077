import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { DEMO_SESSION } from './session';
import { ZipJobsService } from './zip-jobs.service';
import { formatBytes, ZipProgressBar } from './zip-progress-bar';

/** The demo page: zip the seeded folder to a path of your choice, follow every job. */
@Component({
  selector: 'app-root',
  imports: [ZipProgressBar],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './app.html',
  styleUrl: './app.css',
})
export class App {
  protected readonly zips = inject(ZipJobsService);
  protected readonly session = inject(DEMO_SESSION);
  protected readonly host = new URL(this.session.apiUrl).host;
  protected readonly folderSize = formatBytes(this.session.folder.bytes);

  #count = 1;
  protected readonly destination = signal(this.#nextDestination());
  /** Why the last Start was refused (an invalid destination), shown under the field. */
  protected readonly invalid = signal('');
  protected readonly finished = computed(() => this.zips.jobs().length - this.zips.running().length);

  protected setDestination(value: string): void {
    this.destination.set(value);
    this.invalid.set('');
  }

  protected start(event: Event): void {
    event.preventDefault();
    const topath = this.destination().trim();
    try {
      this.zips.start({ folderid: this.session.folder.folderid, topath });
    } catch (error) {
      // start() validates at once (e.g. a relative path): nothing was sent.
      this.invalid.set(error instanceof Error ? error.message : String(error));
      return;
    }
    this.#count += 1;
    this.destination.set(this.#nextDestination());
  }

  #nextDestination(): string {
    const name = this.session.folder.path.split('/').filter(Boolean).at(-1) ?? 'folder';
    return `${this.session.zipFolder}/${name}-${this.#count}.zip`;
  }
}
