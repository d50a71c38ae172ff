// ODK Web Forms, the XForm engine Haven fills assessments with, online and offline.
//
// The component shows the form and checks it; Haven needs two more things from it: the
// answers so far (to keep a draft) and, for the agreement test, the engine's own verdict on
// each question. The component does not hand its engine over, so `engineRoot` finds the
// form's root node where the component passes it to its header. The version is pinned in
// package-lock.json, and the agreement test fails if an upgrade moves it.
import { createApp, h } from "vue";
import { OdkWebForm, webFormsPlugin } from "@getodk/web-forms";

const INSTANCE_FILE = "xml_submission_file";

function findRoot(vnode, depth = 0) {
  if (!vnode || depth > 200) return null;
  const form = vnode.props && vnode.props.form;
  if (form && form.nodeType === "root") return form;
  if (vnode.component) return findRoot(vnode.component.subTree, depth + 1);
  if (Array.isArray(vnode.children)) {
    for (const child of vnode.children) {
      const found = findRoot(child, depth + 1);
      if (found) return found;
    }
  }
  return null;
}

/** The instance XML of a payload the engine prepared. */
export async function payloadXml(payload) {
  const file = payload.data[0].get(INSTANCE_FILE);
  return file.text();
}

/**
 * The files a payload carries beside its instance (photos, recordings, documents), each
 * with the name the instance gives it: the engine renames a chosen file, and its part in
 * the payload carries the new name while the file keeps the one it had on the device.
 */
export function payloadFiles(payload) {
  const files = [];
  for (const [name, value] of payload.data[0].entries()) {
    if (name !== INSTANCE_FILE && value instanceof Blob) files.push({ name, file: value });
  }
  return files;
}

/**
 * Shows `formXml` in `element`. `instanceXml` (optional) loads answers kept before, and
 * `files` ([{name, url}]) the files its answers name, fetched from where they are kept;
 * `media` ({name: text}) holds the CSV files of choices the form reads.
 * `onSubmit(xml, files)` gets the instance when the form is sent with nothing wrong.
 * Resolves, once the form is shown, to { root, instanceXml(), instanceWithFiles(), unmount() }.
 */
export function mountForm(
  element,
  { formXml, instanceXml = "", files = [], media = {}, onSubmit = null, language = "" },
) {
  const props = {
    formXml,
    // The CSV files of choices the form reads (`media`: {name: text}) come with the form;
    // nothing is fetched from anywhere while filling, online or offline.
    fetchFormAttachment: (url) => {
      const name = decodeURIComponent(String(url.href || url).split("/").pop());
      const text = Object.hasOwn(media, name) ? media[name] : null;
      return Promise.resolve(
        text === null
          ? new Response("", { status: 404 })
          : new Response(text, { status: 200, headers: { "Content-Type": "text/csv" } }),
      );
    },
    missingResourceBehavior: "BLANK",
  };
  if (instanceXml) {
    const urls = new Map(files.map((file) => [file.name, file.url]));
    props.editInstance = {
      resolveInstance: () => instanceXml,
      attachmentFileNames: [...urls.keys()],
      resolveAttachment: (name) => fetch(urls.get(name), { credentials: "same-origin" }),
    };
  }
  if (onSubmit) {
    props.onSubmit = async (payload) => onSubmit(await payloadXml(payload), payloadFiles(payload));
  }
  const app = createApp({ render: () => h(OdkWebForm, props) });
  app.use(webFormsPlugin);
  app.mount(element);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const look = () => {
      // Vue keeps the rendered tree on the element it mounted into.
      const root = findRoot(element._vnode);
      if (root) {
        if (language) chooseLanguage(root, language);
        resolve({
          root,
          instanceXml: async () =>
            payloadXml(await root.prepareInstancePayload({ payloadType: "monolithic" })),
          // The instance and the files its answers name, as a draft is kept.
          instanceWithFiles: async () => {
            const payload = await root.prepareInstancePayload({ payloadType: "monolithic" });
            return { xml: await payloadXml(payload), files: payloadFiles(payload) };
          },
          unmount: () => app.unmount(),
        });
      } else if (element.querySelector(".form-initialization-status.error")) {
        reject(new Error("form-load-failed"));
      } else if (Date.now() - started > 30000) {
        reject(new Error("form-load-timeout"));
      } else {
        setTimeout(look, 25);
      }
    };
    look();
  });
}

/** Picks the form's language whose name ends with "(code)", as XLSForm names them. */
function chooseLanguage(root, code) {
  const languages = root.languages || [];
  const wanted = languages.find((l) => !l.isSyntheticDefault && l.language.endsWith(`(${code})`));
  if (wanted) root.setLanguage(wanted);
}
