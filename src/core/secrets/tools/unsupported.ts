/**
 * Env-loading wrappers ecsops recognises but has no adapter for (docs/env-tools.md §5–6). Their binaries
 * are still known, so a container using one is refused instead of reported as "nothing to do".
 */
import type { WrapperDescriptor } from './descriptors.js';

/** Descriptor-only wrappers: recognised in argv, never migrated. */
export const UNSUPPORTED_WRAPPERS = [
  {
    name: 'ssm-parent',
    displayName: 'ssm-parent',
    binaries: ['ssm-parent'],
    envNames: [],
    envSignals: [],
    argvForms: [
      'ssm-parent run [-e] [-p PATH]... [-n NAME]... [--plain-path P]... [-r] -- CMD...',
      'ssm-parent dotenv FILE',
    ],
    migratable: false,
    reason:
      'JSON-valued parameters split into keys (-p/-n), $VAR expansion and transformations have no native equivalent',
  },
  {
    name: 'secrets-init',
    displayName: 'secrets-init',
    binaries: ['secrets-init'],
    envNames: [
      'SECRETS_INIT_SECRETS_PROVIDER',
      'SECRETS_PROVIDER',
      'SECRETS_INIT_EXIT_EARLY',
      'EXIT_EARLY',
      'SECRETS_INIT_LOG_FORMAT',
    ],
    envSignals: [],
    argvForms: ['secrets-init [--provider aws] [--exit-early] CMD... with env values X=arn:aws:…'],
    migratable: false,
    reason:
      'a JSON secret is expanded into all its keys, which are only known by reading the value (containers-roadmap#1506); it also runs as PID 1 init',
  },
  {
    name: 'pstore',
    displayName: 'pstore',
    binaries: ['pstore'],
    envNames: ['PSTORE_*', 'PSTORETAG_*', 'PSTOREPATH_*'],
    envSignals: [],
    argvForms: ['pstore exec [--verbose] -- CMD... with env PSTORE_NAME=PARAM / PSTOREPATH_X=PATH'],
    migratable: false,
    reason: 'tag-based discovery (PSTORETAG_) and configurable prefixes are not supported',
  },
  {
    name: 'aws-ssm-env',
    displayName: 'aws-ssm-env',
    binaries: ['aws-ssm-env'],
    envNames: [],
    envSignals: [],
    argvForms: ['sh -c "export $(aws-ssm-env --paths=/a,/b [--tags=T]) && CMD..."'],
    migratable: false,
    reason:
      'its output is word-split by the shell and it can filter by tags, which native secrets cannot express',
  },
  {
    name: 'aws-secretsmanager-env',
    displayName: 'aws-secretsmanager-env',
    binaries: ['aws-secretsmanager-env'],
    envNames: [],
    envSignals: [],
    argvForms: ['aws-secretsmanager-env -secret-string ENV=ARN -secret-json-key ENV=ARN#KEY ... [CMD...]'],
    migratable: false,
    reason: '-secret-json-key yields a JSON-encoded value and binary secrets have no native equivalent',
  },
  {
    name: 'confd',
    displayName: 'confd',
    binaries: ['confd'],
    envNames: [],
    envSignals: [],
    argvForms: ['confd -backend ssm ...'],
    migratable: false,
    reason: 'it renders secrets into files; native secrets cannot write files (containers-roadmap#241)',
  },
] as const satisfies readonly WrapperDescriptor[];
