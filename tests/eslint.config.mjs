import baseConfig from '../eslint.config.mjs';

// Everything here is test code: it may use the test helpers.
export default [...baseConfig, { files: ['**/*.ts'], rules: { 'no-restricted-imports': 'off' } }];
