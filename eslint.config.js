// ESLint for the front end's JavaScript (make test-js): the recommended rules, browser
// globals for the served files, Node's for the tests and this config.
import js from "@eslint/js";
import globals from "globals";

export default [
  { ignores: [".venv/", "node_modules/", "test-artifacts/", "data/", "**/__pycache__/"] },
  js.configs.recommended,
  {
    files: ["views/**/*.js", "web/static/**/*.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "module",
      globals: { ...globals.browser },
    },
  },
  {
    files: ["tests/js/**/*.mjs", "eslint.config.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "module",
      globals: { ...globals.node },
    },
  },
];
