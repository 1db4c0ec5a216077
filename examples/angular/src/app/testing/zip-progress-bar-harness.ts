import { type BaseHarnessFilters, ComponentHarness, type ComponentHarnessConstructor, HarnessPredicate } from '@angular/cdk/testing';
import type { ZipJobStatus } from '../zip-jobs.service';

/** What to find a card by: its label (the destination unless `start()` was given one), its status. */
export interface ZipProgressBarHarnessFilters extends BaseHarnessFilters {
  /** The label the card shows, e.g. `'/backups/photos.zip'` or `/photos/`. */
  readonly label?: string | RegExp;
  /** `'running'`, `'saved'`, `'failed'` or `'cancelled'`. */
  readonly status?: ZipJobStatus;
}

const STATUSES: readonly string[] = ['running', 'saved', 'failed', 'cancelled'] satisfies readonly ZipJobStatus[];

/**
 * Drives an `<app-zip-progress-bar>` in a test the way Angular Material's harnesses drive theirs,
 * through `@angular/cdk/testing`: it reads what the card shows, so a test does not depend on the
 * card's markup, and each call lets the fixture settle first.
 *
 * @example
 * ```ts
 * const loader = TestbedHarnessEnvironment.loader(fixture);
 * const card = await loader.getHarness(ZipProgressBarHarness.with({ label: '/backups/photos.zip' }));
 * expect(await card.getValueText()).toBe('3 of 5 files, 60%');
 * await card.cancel();
 * ```
 */
export class ZipProgressBarHarness extends ComponentHarness {
  static hostSelector = 'app-zip-progress-bar';

  readonly #card = this.locatorFor('.zip-job');
  readonly #label = this.locatorFor('.label');
  readonly #bar = this.locatorFor('progress');
  readonly #outcome = this.locatorFor('.outcome');
  readonly #hint = this.locatorForOptional('.hint');
  readonly #cancelButton = this.locatorForOptional('button.cancel');

  /** A predicate for `getHarness()` / `getAllHarnesses()`: the card with that label and/or status. */
  static with<T extends ZipProgressBarHarness>(
    this: ComponentHarnessConstructor<T>,
    options: ZipProgressBarHarnessFilters = {},
  ): HarnessPredicate<T> {
    return new HarnessPredicate(this, options)
      .addOption('label', options.label, (harness, label) => HarnessPredicate.stringMatches(harness.getLabel(), label))
      .addOption('status', options.status, async (harness, status) => (await harness.getStatus()) === status);
  }

  /** The job's label: the destination (`topath` or `toname`) unless `start()` was given a label. */
  async getLabel(): Promise<string> {
    return (await this.#label()).text();
  }

  /** Where the job stands, as the card shows it (its chip reads Zipping, Saved, Failed or Cancelled). */
  async getStatus(): Promise<ZipJobStatus> {
    const status = await (await this.#card()).getAttribute('data-status');
    if (status === null || !STATUSES.includes(status)) throw new Error(`The card shows an unknown status: ${String(status)}`);
    return status as ZipJobStatus;
  }

  /** The bar's value, 0 to 100; null while it is indeterminate (running, nothing known yet). */
  async getValue(): Promise<number | null> {
    const value = await (await this.#bar()).getAttribute('value');
    return value === null ? null : Number(value);
  }

  /** What a screen reader says for the bar, e.g. `'3 of 5 files, 60%'`; null while indeterminate. */
  async getValueText(): Promise<string | null> {
    return (await this.#bar()).getAttribute('aria-valuetext');
  }

  /** The bar's accessible name, e.g. `'Zip Photos'`. */
  async getAccessibleName(): Promise<string | null> {
    return (await this.#bar()).getAttribute('aria-label');
  }

  /** The percent beside the bar, e.g. `'60%'`; `''` when the card shows no figures. */
  async getPercentText(): Promise<string> {
    return this.#figure('.percent');
  }

  /** The file counts, e.g. `'3 / 5 files'` (`'– files'` before the first progress). */
  async getFilesText(): Promise<string> {
    return this.#figure('.files');
  }

  /** Bytes zipped of the total, e.g. `'58.6 KB of 97.7 KB'`. */
  async getBytesText(): Promise<string> {
    return this.#figure('.bytes');
  }

  /** The rate, e.g. `'19.5 KB/s'`. */
  async getRateText(): Promise<string> {
    return this.#figure('.rate');
  }

  /** The time left while running, e.g. `'ETA 2 s'`; `''` once the job ended. */
  async getEtaText(): Promise<string> {
    return this.#figure('.eta');
  }

  /** The outcome line: `'Zipping…'`, `'Saved /backups/photos.zip (1.2 MB)'`, `'Failed: …'` or `'Cancelled'`. */
  async getOutcomeText(): Promise<string> {
    return (await this.#outcome()).text();
  }

  /** What to do about a failed job, e.g. `'A file with that name already exists: …'`; `''` otherwise. */
  async getHintText(): Promise<string> {
    return (await this.#hint())?.text() ?? '';
  }

  /** Whether the card offers Cancel (only while the job runs). */
  async isCancellable(): Promise<boolean> {
    return (await this.#cancelButton()) !== null;
  }

  /**
   * Presses Cancel: the card emits `cancel` with the job's id, and its parent decides. Throws if
   * the card has no Cancel button (the job has ended).
   */
  async cancel(): Promise<void> {
    const button = await this.#cancelButton();
    if (button === null) throw new Error(`Cannot cancel: the job is ${await this.getStatus()}, and the card has no Cancel button`);
    await button.click();
  }

  /** The text of one of the figures beside the bar; `''` when the card shows none. */
  async #figure(selector: string): Promise<string> {
    return (await this.locatorForOptional(selector)())?.text() ?? '';
  }
}
