// Lint: ESLint's recommended rules and typescript-eslint's, without type information (the
// type check is `tsc`, run by `npm run check` beside this). Files named here are generated or
// third-party; everything else in the repository is linted.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import globals from "globals";

export default tseslint.config(
  { ignores: ["node_modules/", "**/.fuse/", "test/.artifacts/", "**/dist/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      // A binding a closure reads before its one assignment (a handle filled in later) stays \`let\`.
      "prefer-const": ["error", { ignoreReadBeforeAssign: true }],
      // A leading underscore marks a binding kept on purpose (a rest sibling, a required parameter).
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none", ignoreRestSiblings: true }],
    },
  },
  // The demo hub's frontend runs in the browser.
  { files: ["public/**/*.js"], languageOptions: { globals: { ...globals.browser } } },
);
