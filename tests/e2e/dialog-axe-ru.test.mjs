// axe-core on every layer of the dialog and the account panel in Russian
// (a ru-RU and a ru page), light and dark. English: dialog-axe.test.mjs.
import { axeSuite } from "./dialog-shared.mjs";

axeSuite("ru");
