// axe-core (WCAG 2.0-2.2 A/AA rules) on every layer of the dialog and the
// account panel in English, light and dark (dialog-axe-ru.test.mjs: Russian).
import { axeSuite } from "./dialog-shared.mjs";

axeSuite("en");
