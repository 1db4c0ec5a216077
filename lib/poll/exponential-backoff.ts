import { DELAY_RULE } from './duration.js';
import { checkDelayRange, FUNCTION_RULE, optionRule, resolveOptions } from './option-rules.js';

/**
 * How a wait is randomised around its nominal value, so that many clients that failed together
 * do not retry together:
 * - `'full'`: anywhere between `initialDelay` and the nominal delay;
 * - `'equal'`: between half the nominal delay and the nominal delay (never below `initialDelay`);
 * - `'none'`: exactly the nominal delay.
 */
export type Jitter = 'full' | 'equal' | 'none';

/**
 * An exponential schedule: the nominal wait is `initialDelay * factor^n`, capped at `maxDelay`,
 * where n counts consecutive unchanged polls (or, after a failure, consecutive failures minus one).
 * A change in progress brings it back to `initialDelay`.
 */
export interface ExponentialBackoffOptions {
  /** Shortest wait in ms. */
  readonly initialDelay?: number;
  /** Longest wait in ms (a server's `Retry-After` may still ask for more). */
  readonly maxDelay?: number;
  /** Growth per step, >= 1. */
  readonly factor?: number;
  /** See {@link Jitter}. */
  readonly jitter?: Jitter;
  /** Source of randomness in [0, 1); inject a seeded one for reproducible tests. */
  readonly random?: () => number;
}

/**
 * Defaults of {@link ExponentialBackoffOptions} (frozen).
 *
 * @example
 * ```ts
 * exponentialBackoff({ maxDelay: EXPONENTIAL_DEFAULTS.maxDelay * 2 });
 * ```
 */
export const EXPONENTIAL_DEFAULTS = /* @__PURE__ */ Object.freeze({
  initialDelay: 500,
  maxDelay: 5000,
  factor: 1.5,
  jitter: 'equal',
  /** `Math.random`. */
  random: Math.random,
} as const satisfies Required<ExponentialBackoffOptions>);

/**
 * Applies jitter to a nominal delay and keeps the result within [floor, nominal].
 *
 * @example
 * ```ts
 * jittered(1000, 100, 'equal', () => 0.5); // 750
 * ```
 */
export function jittered(nominal: number, floor: number, jitter: Jitter, random: () => number): number {
  if (jitter === 'none') return nominal;
  // random() kept inside [0, 1], so a faulty source cannot push a wait out of bounds.
  const drawn = random();
  const unit = Number.isFinite(drawn) ? Math.min(Math.max(drawn, 0), 1) : 0;
  return jitter === 'full' ? floor + unit * (nominal - floor) : Math.max(floor, nominal / 2 + (unit * nominal) / 2);
}

/** Exponential options with every default filled in. */
export type ResolvedExponential = Required<ExponentialBackoffOptions>;

/** Exponential options resolved but for `maxDelay`, whose default depends on `initialDelay`. */
type Unbounded = Omit<ResolvedExponential, 'maxDelay'> & { readonly maxDelay: number | undefined };

/** The rule of each exponential option. */
const EXPONENTIAL_RULES = {
  initialDelay: DELAY_RULE,
  maxDelay: DELAY_RULE,
  factor: /* @__PURE__ */ optionRule((value) => typeof value === 'number' && Number.isFinite(value) && value >= 1, 'a finite number >= 1'),
  jitter: /* @__PURE__ */ optionRule((value) => value === 'full' || value === 'equal' || value === 'none', "'full', 'equal' or 'none'"),
  random: FUNCTION_RULE,
};

/**
 * Validates exponential options (a TypeError naming the field, `backoff.<field>`) and fills in
 * the defaults: the one place that knows them.
 */
export function resolveExponential(options: ExponentialBackoffOptions): ResolvedExponential {
  // No default maxDelay yet: when not given, it is the default raised to a longer initialDelay.
  const resolved = resolveOptions<Unbounded>('backoff.', options, { ...EXPONENTIAL_DEFAULTS, maxDelay: undefined }, EXPONENTIAL_RULES);
  const { initialDelay, maxDelay = Math.max(initialDelay, EXPONENTIAL_DEFAULTS.maxDelay) } = resolved;
  checkDelayRange('backoff.', 'initialDelay', initialDelay, maxDelay);
  return { ...resolved, maxDelay };
}

/**
 * Builds an exponential backoff (see {@link ExponentialBackoffOptions}) as a pure function of
 * the two counters of a `BackoffContext` it looks at (`unchangedPolls`, `failures`). Every wait it returns lies in `[initialDelay, maxDelay]`.
 *
 * @example
 * ```ts
 * const next = exponentialBackoff({ initialDelay: 100, maxDelay: 1000, factor: 2, jitter: 'none' });
 * next({ unchangedPolls: 0, failures: 0 }); // 100
 * next({ unchangedPolls: 3, failures: 0 }); // 800
 * next({ unchangedPolls: 9, failures: 0 }); // 1000
 * ```
 */
export function exponentialBackoff(options: ExponentialBackoffOptions = {}): (context: { readonly unchangedPolls: number; readonly failures: number }) => number {
  const { initialDelay, maxDelay, factor, jitter, random } = resolveExponential(options);
  return ({ unchangedPolls, failures }) => {
    const step = failures > 0 ? failures - 1 : unchangedPolls;
    // factor ** step reaches Infinity after enough steps, and 0 * Infinity is NaN.
    const nominal = initialDelay === 0 ? 0 : Math.min(maxDelay, initialDelay * factor ** step);
    return jittered(nominal, initialDelay, jitter, random);
  };
}
