import reactHooks from 'eslint-plugin-react-hooks';
import baseConfig from '../../eslint.config.mjs';

// The React rules of hooks (and the compiler-backed checks of the recommended set) for the browser code.
export default [
  ...baseConfig,
  { files: ['web/**/*.tsx', 'web/**/*.ts'], ...reactHooks.configs.flat.recommended },
];
