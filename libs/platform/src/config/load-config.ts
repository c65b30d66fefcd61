/**
 * Environment → typed, validated config object. Services call this once at startup; a bad environment stops
 * the process with one message naming every wrong variable, its value and what is expected.
 */
import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validateSync, type ValidationError } from 'class-validator';

export interface ConfigIssue {
  variable: string;
  /** The value as given (masked for secrets), or undefined when unset. */
  value: string | undefined;
  messages: string[];
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly configName: string,
    readonly issues: ConfigIssue[],
  ) {
    super(
      `Invalid configuration (${configName}):\n` +
        issues
          .flatMap((i) =>
            i.messages.map(
              (m) => `  - ${m} (${i.value === undefined ? 'not set' : `got ${JSON.stringify(i.value)}`})`,
            ),
          )
          .join('\n'),
    );
  }
}

const SECRET = /KEY|SECRET|PASSWORD|TOKEN|CREDENTIAL/i;

/** What may be shown of a variable's value in an error message: secrets never, URL passwords masked. */
function displayValue(variable: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (SECRET.test(variable)) return '<redacted>';
  return value.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@');
}

/** Property names a config class declares: those with initializers and those with validation decorators. */
function declaredKeys<T extends object>(ConfigClass: new () => T): string[] {
  const validated = getMetadataStorage()
    .getTargetValidationMetadatas(ConfigClass, '', true, false)
    .map((m) => m.propertyName);
  return [...new Set([...Object.keys(new ConfigClass()), ...validated])];
}

/**
 * Maps the env vars named like the class's properties onto a new instance (defaults = property initializers;
 * empty strings count as unset), converts by the declared types and validates. Throws {@link ConfigError}.
 */
export function loadConfig<T extends object>(
  ConfigClass: new () => T,
  env: NodeJS.ProcessEnv = process.env,
): T {
  const keys = declaredKeys(ConfigClass);
  const plain: Record<string, string> = {};
  for (const key of keys) {
    const value = env[key];
    if (value !== undefined && value.trim() !== '') plain[key] = value.trim();
  }
  const config = plainToInstance(ConfigClass, plain, {
    enableImplicitConversion: true,
    exposeDefaultValues: true,
  });
  const errors = validateSync(config, { forbidUnknownValues: false, validationError: { target: false } });
  if (errors.length) {
    throw new ConfigError(
      ConfigClass.name,
      errors.map((e) => ({
        variable: e.property,
        value: displayValue(e.property, plain[e.property]),
        messages: messagesOf(e),
      })),
    );
  }
  return config;
}

function messagesOf(error: ValidationError): string[] {
  const messages = [...new Set(Object.values(error.constraints ?? {}))];
  // Our messages start with the variable name; class-validator's defaults do too, custom ones may not.
  return messages.map((m) => (m.startsWith(error.property) ? m : `${error.property} ${m}`));
}

/** {@link loadConfig}, printing the error and exiting with status 1 when the environment is invalid. */
export function loadConfigOrExit<T extends object>(
  ConfigClass: new () => T,
  env: NodeJS.ProcessEnv = process.env,
): T {
  try {
    return loadConfig(ConfigClass, env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
}
