import { init } from "consentry";

const consent = await init();
consent.on("change", (record) => {
  document.getElementById("status").textContent = `consent: ${record.method}`;
});
