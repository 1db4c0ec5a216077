/**
 * Where `providePCloud()` may go: the application's providers, or a route's. These specs put it
 * in a lazy route's `providers`, as the README shows, and navigate with the real router.
 */
import { Component, inject } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { provideRouter, type Routes, withExperimentalAutoCleanupInjectors } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { lastValueFrom } from 'rxjs';
import { expectNoMoreRequests, type PCloudFixture, requestsOf, startPCloud, waitFor } from '../testing/fake-pcloud';
import { providePCloud, ZipJobsService } from './zip-jobs.service';

/** A page under the route: it starts zips and lists them. */
@Component({
  selector: 'app-backups',
  template: `
    @for (job of zips.jobs(); track job.id) {
      <p class="job">{{ job.label }}: {{ job.status }}</p>
    }
  `,
})
class Backups {
  readonly zips = inject(ZipJobsService);
}

/** Another page under the same route (a child route). */
@Component({ selector: 'app-archive', template: '' })
class Archive {
  readonly zips = inject(ZipJobsService);
}

/** A page outside the route that needs no zips. */
@Component({ selector: 'app-home', template: 'Home' })
// eslint-disable-next-line @typescript-eslint/no-extraneous-class -- a page with nothing but its template
class Home {}

/** A page outside the route that injects the service anyway. */
@Component({ selector: 'app-elsewhere', template: '' })
class Elsewhere {
  readonly zips = inject(ZipJobsService);
}

/** The app's routes: the service is provided only for `/backups` and what is under it. */
function routes(fixture: PCloudFixture): Routes {
  return [
    { path: '', component: Home },
    { path: 'elsewhere', component: Elsewhere },
    {
      path: 'backups',
      providers: [providePCloud(fixture.config)],
      // Lazy, as a feature route usually is: the children load on the first visit.
      loadChildren: () =>
        Promise.resolve([
          { path: '', component: Backups },
          { path: 'archive', component: Archive },
        ]),
    },
  ];
}

let pcloud: PCloudFixture | undefined;
afterEach(async () => {
  TestBed.resetTestingModule();
  await pcloud?.fake.close();
  pcloud = undefined;
  sessionStorage.clear();
});

function jobLines(harness: RouterTestingHarness): string {
  const page = harness.routeNativeElement!;
  return [...page.querySelectorAll('.job')].map((line) => line.textContent.trim()).join('\n');
}

describe('providePCloud() in a route', () => {
  it('serves the pages under the route: one zips to saved, and its child route shares the service', async () => {
    pcloud = await startPCloud({ bytesPerSecond: 100_000 });
    TestBed.configureTestingModule({ providers: [provideRouter(routes(pcloud))] }); // no providePCloud() for the app
    const harness = await RouterTestingHarness.create();

    const { zips } = await harness.navigateByUrl('/backups', Backups);
    const id = zips.start({ folderid: pcloud.folderid, topath: '/zips/route.zip', label: 'Route' });
    expect((await lastValueFrom(zips.job$(id))).status).toBe('saved');
    await harness.fixture.whenStable();
    expect(jobLines(harness)).toBe('Route: saved');
    expect(pcloud.user.readFile('/zips/route.zip')).toBeDefined();

    expect((await harness.navigateByUrl('/backups/archive', Archive)).zips).toBe(zips);
  });

  it('leaving the route does not stop its jobs: the router keeps the route’s injector, and the page finds the job saved on return', async () => {
    pcloud = await startPCloud({ bytesPerSecond: 50_000 });
    TestBed.configureTestingModule({ providers: [provideRouter(routes(pcloud))] });
    const harness = await RouterTestingHarness.create();
    const { zips } = await harness.navigateByUrl('/backups', Backups);
    const id = zips.start({ folderid: pcloud.folderid, topath: '/zips/left.zip', label: 'Left' });
    await waitFor('a first progress snapshot', () => zips.job(id)()?.progress);

    await harness.navigateByUrl('/', Home);

    expect((await lastValueFrom(zips.job$(id))).status).toBe('saved');
    const back = await harness.navigateByUrl('/backups', Backups);
    expect(back.zips).toBe(zips);
    expect(jobLines(harness)).toBe('Left: saved');
    expect(requestsOf(pcloud.fake, 'savezip')).toHaveLength(1);
  });

  it('a page outside the route that injects the service fails to open, with a message that names providePCloud()', async () => {
    pcloud = await startPCloud({ bytesPerSecond: 100_000 });
    TestBed.configureTestingModule({ providers: [provideRouter(routes(pcloud))] });
    const harness = await RouterTestingHarness.create();
    await harness.navigateByUrl('/backups', Backups); // the route's service exists, but not for pages outside it

    await expect(harness.navigateByUrl('/elsewhere')).rejects.toThrow(
      /^ZipJobsService is not provided here: add providePCloud\(\{ apiUrl, auth \}\) to the application's providers \(app\.config\.ts\) or to the providers of a route above the component that injects it$/,
    );
  });

  it('with withExperimentalAutoCleanupInjectors(), leaving the route stops watching; the next visit re-attaches to the same zip', async () => {
    pcloud = await startPCloud({ bytesPerSecond: 20_000 });
    TestBed.configureTestingModule({ providers: [provideRouter(routes(pcloud), withExperimentalAutoCleanupInjectors())] });
    const harness = await RouterTestingHarness.create();
    const first = (await harness.navigateByUrl('/backups', Backups)).zips;
    const id = first.start({ folderid: pcloud.folderid, topath: '/zips/slow.zip', label: 'Slow' });
    await waitFor('a first progress snapshot', () => first.job(id)()?.progress);

    await harness.navigateByUrl('/', Home); // the router destroys the route's injector, and the service with it

    await waitFor('savezip to be aborted', () => requestsOf(pcloud!.fake, 'savezip')[0]?.aborted);
    const polls = requestsOf(pcloud.fake, 'savezipprogress').length;
    await expectNoMoreRequests(pcloud.fake, 'savezipprogress');

    // pCloud went on zipping (it does when the client hangs up); the next visit's service picks the job up.
    const second = (await harness.navigateByUrl('/backups', Backups)).zips;
    expect(second).not.toBe(first);
    expect(second.jobs()).toMatchObject([{ id, label: 'Slow', status: 'running' }]);
    expect((await lastValueFrom(second.job$(id))).status).toBe('saved');
    expect(requestsOf(pcloud.fake, 'savezipprogress').length).toBeGreaterThan(polls);
    expect(requestsOf(pcloud.fake, 'savezip')).toHaveLength(1);
    expect(pcloud.user.readFile('/zips/slow.zip')).toBeDefined();
  });
});
