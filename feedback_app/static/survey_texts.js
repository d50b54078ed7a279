// The new-survey page's live preview: each language's question as the team types its texts, by the rules of
// surveys/scales/texts.py (a product name in every language; a subject or task given for some languages
// leaves the others without a question; the defaults otherwise). The page works without it: the server
// renders the same preview for the form as sent, and every kind's fields stay visible.
(function () {
  "use strict";
  const form = document.querySelector("form.survey-texts[data-templates]");
  if (!form) return;
  const templates = JSON.parse(form.dataset.templates);
  const defaults = JSON.parse(form.dataset.defaults);
  const locales = form.dataset.locales.split(" ");

  function value(name) {
    const field = form.elements[name];
    return field ? field.value.trim() : "";
  }

  function perLanguage(name) {
    const texts = {};
    for (const locale of locales) {
      if (value(name + "_" + locale)) texts[locale] = value(name + "_" + locale);
    }
    return texts;
  }

  // As sentence_case: a capital first letter unless the first word has one inside ("iPhone").
  function sentenceCase(text) {
    const first = text.split(" ", 1)[0];
    if (!first || first !== first.toLowerCase()) return text;
    return text.charAt(0).toUpperCase() + text.slice(1);
  }

  function valuesIn(locale, kind) {
    const subject = kind === "csat" ? perLanguage("subject") : {};
    const task = kind === "ces" ? perLanguage("task") : {};
    const product = value("product") || defaults.product[locale];
    return {
      product: product,
      subject: Object.keys(subject).length ? subject[locale] : product,
      task: Object.keys(task).length ? task[locale] : defaults.task[locale],
    };
  }

  function filled(template, values) {
    let complete = true;
    const text = template.replace(/\{(\w+)\}/g, function (_, name) {
      if (!values[name]) complete = false;
      return values[name] || "";
    });
    return complete ? sentenceCase(text) : null;
  }

  function update() {
    const kind = form.elements.kind.value;
    for (const fieldset of form.querySelectorAll("[data-for-kind]")) {
      fieldset.hidden = fieldset.dataset.forKind !== kind;
    }
    for (const row of form.querySelectorAll("[data-preview]")) {
      const question = filled(templates[kind][row.dataset.preview], valuesIn(row.dataset.preview, kind));
      const shown = row.querySelector(".preview-question");
      shown.textContent = question || "";
      shown.hidden = !question;
      row.querySelector(".preview-missing").hidden = Boolean(question);
    }
  }

  form.addEventListener("input", update);
  form.addEventListener("change", update);
  update();
})();
