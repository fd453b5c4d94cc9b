export {
  ConfigurationError,
  DB_AUTH_MODES,
  DB_SSL_MODES,
  EnvironmentVariables,
  LOG_LEVELS,
  validateEnvironment,
  type DbAuthMode,
  type DbSslMode,
  type LogLevel,
} from './environment.js';
