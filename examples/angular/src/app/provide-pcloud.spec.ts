/**
 * Where `providePCloud()` may go: the application's providers, or a route's. The router gives a
 * route with `providers` its own environment injector (`createEnvironmentInjector(route.providers,
 * parent)`), and the components it renders for that route (and its children) resolve their
 * services there: these specs build that injector the same way.
 */
import { ApplicationRef, Component, createComponent, createEnvironmentInjector, EnvironmentInjector, inject } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { lastValueFrom } from 'rxjs';
import { expectNoMoreRequests, type PCloudFixture, requestsOf, startPCloud, waitFor } from '../testing/fake-pcloud';
import { providePCloud, ZipJobsService } from './zip-jobs.service';

/** A page of the app, shown by a route: it starts zips and lists them. */
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

/** Outside every route: a page that injects the service where nobody provided it. */
@Component({ selector: 'app-elsewhere', template: '' })
class Elsewhere {
  readonly zips = inject(ZipJobsService);
}

let pcloud: PCloudFixture | undefined;
afterEach(async () => {
  TestBed.resetTestingModule();
  await pcloud?.fake.close();
  pcloud = undefined;
  sessionStorage.clear();
});

/** The injector the router creates for `{ path: 'backups', providers: [providePCloud(...)] }`. */
function routeInjector(fixture: PCloudFixture): EnvironmentInjector {
  TestBed.configureTestingModule({}); // the application: no providePCloud() of its own
  return createEnvironmentInjector([providePCloud(fixture.config)], TestBed.inject(EnvironmentInjector), 'Route: backups');
}

function text(element: Element): string {
  return [...element.querySelectorAll('.job')].map((line) => line.textContent.trim()).join('\n');
}

describe('providePCloud() in a route', () => {
  it("serves the route's components: a page under the route zips and shows the job", async () => {
    pcloud = await startPCloud({ bytesPerSecond: 100_000 });
    const route = routeInjector(pcloud);
    const page = createComponent(Backups, { environmentInjector: route });
    const app = TestBed.inject(ApplicationRef);
    app.attachView(page.hostView);

    const zips = page.instance.zips;
    expect(zips).toBe(route.get(ZipJobsService)); // one service for the whole route
    const id = zips.start({ folderid: pcloud.folderid, topath: '/zips/route.zip', label: 'Route' });
    expect((await lastValueFrom(zips.job$(id))).status).toBe('saved');
    await app.whenStable();
    expect(text(page.location.nativeElement as Element)).toBe('Route: saved');
    expect(pcloud.user.readFile('/zips/route.zip')).toBeDefined();
    page.destroy();
  });

  it('outside the route, injecting the service fails with a message that names providePCloud()', async () => {
    pcloud = await startPCloud({ bytesPerSecond: 100_000 });
    const route = routeInjector(pcloud);
    expect(route.get(ZipJobsService)).toBeInstanceOf(ZipJobsService);
    expect(() => TestBed.createComponent(Elsewhere)).toThrow(/^ZipJobsService is not provided here: add providePCloud\(/);
  });

  it("belongs to the route's injector: destroying it cancels the route's running jobs", async () => {
    pcloud = await startPCloud({ bytesPerSecond: 20_000 });
    const route = routeInjector(pcloud);
    const zips = route.get(ZipJobsService);
    const id = zips.start({ folderid: pcloud.folderid, topath: '/zips/slow.zip' });
    await waitFor('a first progress snapshot', () => zips.job(id)()?.progress);

    route.destroy();

    expect(zips.job(id)()?.status).toBe('cancelled');
    await waitFor('savezip to be aborted', () => requestsOf(pcloud!.fake, 'savezip')[0]?.aborted);
    await expectNoMoreRequests(pcloud.fake, 'savezipprogress');
  });
});

describe('ZipJobsService without providePCloud()', () => {
  it('fails at once with a message that says where providePCloud() goes', () => {
    TestBed.configureTestingModule({});
    expect(() => TestBed.inject(ZipJobsService)).toThrow(
      "ZipJobsService is not provided here: add providePCloud({ apiUrl, auth }) to the application's providers (app.config.ts) or to the providers of a route above the component that injects it",
    );
  });
});
