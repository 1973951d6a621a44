import type { Command } from 'commander';
import { FILTER_FIELDS, FILTER_KEYS, type ExerciseFilters, type FilterField, type FilterKey } from '../domain/index.js';
import { LEVEL_MAX, LEVEL_MIN, MAX_MEDIA_SECONDS } from '../limits.js';
import { int, list, num } from './parse.js';

/**
 * The filters as command-line options, derived from FILTER_FIELDS: `--<key> <list>` for lists,
 * `--min-<param>` and `--max-<param>` for ranges, `--<key>` / `--no-<key>` for a flag. Shapes and
 * scales are checked here; the domain's rules apply in the service, as for the API.
 */
const flagName = (key: string) => key.replace(/_/g, '-');
const camel = (flag: string) => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

export function addFilterOptions(command: Command, options: { except?: readonly FilterKey[] } = {}): Command {
  for (const key of FILTER_KEYS) {
    if (options.except?.includes(key)) continue;
    const field: FilterField = FILTER_FIELDS[key];
    const flag = flagName(key);
    switch (field.kind) {
      case 'text':
        command.option(`--${flag} <text>`, field.about);
        break;
      case 'url':
        command.option(`--${flag} <url>`, field.about);
        break;
      case 'range': {
        const [lo, hi, parse] = field.scale === 'level' ? [LEVEL_MIN, LEVEL_MAX, int] : [0, MAX_MEDIA_SECONDS, num];
        for (const end of ['min', 'max'] as const) {
          const name = `${end}-${flagName(field.param)}`;
          command.option(`--${name} <n>`, `${end === 'min' ? 'minimum' : 'maximum'} ${field.about} ${lo}-${hi}`, parse(name, lo, hi));
        }
        break;
      }
      case 'tags':
        command.option(`--${flag} <list>`, `comma-separated ${field.about}`, list);
        break;
      case 'choice':
        command.option(`--${flag} <list>`, `comma-separated ${field.about}: ${field.values.join(', ')}`, list);
        break;
      case 'flag':
        command.option(`--${flag}`, field.about);
        command.option(`--no-${flag}`, `not ${field.about}`);
        break;
    }
  }
  return command;
}

/** The filters the parsed options ask for (only those given). */
export function filtersFromOptions(o: Record<string, unknown>, options: { except?: readonly FilterKey[] } = {}): ExerciseFilters {
  const filters: Record<string, unknown> = {};
  for (const key of FILTER_KEYS) {
    if (options.except?.includes(key)) continue;
    const field: FilterField = FILTER_FIELDS[key];
    if (field.kind === 'range') {
      const min = o[camel(`min-${flagName(field.param)}`)];
      const max = o[camel(`max-${flagName(field.param)}`)];
      if (min !== undefined || max !== undefined) filters[key] = { ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) };
      continue;
    }
    const value = o[camel(flagName(key))];
    if (value !== undefined) filters[key] = value;
  }
  return filters as ExerciseFilters;
}
