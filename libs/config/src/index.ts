export {
  ConfigurationError,
  DB_SSL_MODES,
  EnvironmentVariables,
  LOG_LEVELS,
  validateEnvironment,
  type DbSslMode,
  type LogLevel,
} from './environment.js';
