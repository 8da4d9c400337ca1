// Parses Adaptive Card JSON files with Microsoft's own JavaScript library (npm "adaptivecards",
// pinned in package.json beside this file) and prints a JSON report of errors and warnings per card.
//
//   node tests/cards/ac_validate.mjs card1.json card2.json ...
//
// Output (stdout): {"library": "adaptivecards@3.0.6", "cards": [{"file", "errors": [...], "warnings": [...]}]}
// Each finding is {"phase", "event", "message", "at"} where `at` names the element (type and id).
// Exit code 0 when the report was written (whatever it holds), 2 on a usage or loading problem.
//
// What counts:
// - the events the library logs while parsing (`card.parse(json, context)`, collected in the
//   SerializationContext) and those of `card.validateProperties()`; the context's target version is
//   the card's own "version", so that a property or value newer than it is reported;
// - properties the library does not know on an element, action, the card or a nested object
//   (a choice, a fact): it drops them silently, so they are listed here as warnings ("msteams"
//   on the card is Teams' own extension and is expected).
// Hints, deprecations and the "required input should have a label/error message" events are
// warnings; every other event is an error.
//
// Parsing needs no DOM: only rendering does. The package's ES module build (lib/) uses
// extensionless imports that Node cannot resolve, so its UMD bundle (dist/) is loaded instead.

import { createRequire } from "node:module";
import { readFileSync } from "node:fs";

const require = createRequire(import.meta.url);
let AC;
let libraryVersion;
try {
  AC = require("adaptivecards/dist/adaptivecards.js");
  libraryVersion = require("adaptivecards/package.json").version;
} catch (error) {
  process.stderr.write(`cannot load the adaptivecards package: ${error.message}\n`);
  process.exit(2);
}

const WARNING_EVENTS = new Set([
  AC.ValidationEvent.Hint,
  AC.ValidationEvent.Deprecated,
  AC.ValidationEvent.RequiredInputsShouldHaveLabel,
  AC.ValidationEvent.RequiredInputsShouldHaveErrorMessage,
]);

function describe(object) {
  if (!object) return "card";
  const type = typeof object.getJsonTypeName === "function" ? object.getJsonTypeName() : object.constructor?.name;
  return object.id ? `${type}#${object.id}` : `${type}`;
}

// The names an object reads: its schema's properties, plus the collections that containers,
// action sets, column sets and rich text blocks parse by hand.
function knownNames(object) {
  const schema = object.getSchema();
  const names = new Set(["type", "fallback"]);
  for (let i = 0; i < schema.getCount(); i++) names.add(schema.getItemAt(i).name);
  if (typeof object.getItemsCollectionPropertyName === "function") names.add(object.getItemsCollectionPropertyName());
  if (object instanceof AC.ContainerWithActions || object instanceof AC.ActionSet) names.add("actions");
  if (object instanceof AC.ColumnSet) names.add("columns");
  if (object instanceof AC.RichTextBlock) names.add("inlines");
  if (object instanceof AC.ShowCardAction) names.add("card");
  return names;
}

// Properties of `source` the parsed `object` has no definition for; recurses into nested
// serializable objects that are not elements or actions (those are visited by the parse hooks).
function unknownProperties(object, source, where, out) {
  if (!source || typeof source !== "object" || Array.isArray(source)) return;
  const names = knownNames(object);
  for (const key of Object.keys(source)) {
    if (!names.has(key)) out.push({ phase: "Parse", event: "UnknownProperty", message: `Property "${key}" is not known to the parser and is dropped.`, at: where });
  }
  const schema = object.getSchema();
  for (let i = 0; i < schema.getCount(); i++) {
    const prop = schema.getItemAt(i);
    const value = object.getValue(prop);
    const raw = source[prop.name];
    const nested = (item, rawItem, index) => {
      if (item instanceof AC.SerializableObject && !(item instanceof AC.CardElement) && !(item instanceof AC.Action)) {
        unknownProperties(item, rawItem, `${where} > ${prop.name}${index === undefined ? "" : `[${index}]`}`, out);
      }
    };
    if (Array.isArray(value) && Array.isArray(raw)) value.forEach((item, index) => nested(item, raw[index], index));
    else if (value && raw) nested(value, raw);
  }
}

function finding(event) {
  return {
    phase: AC.ValidationPhase[event.phase] ?? String(event.phase),
    event: AC.ValidationEvent[event.event] ?? String(event.event),
    message: event.message,
    at: describe(event.source),
  };
}

function check(file) {
  const json = JSON.parse(readFileSync(file, "utf8"));
  const context = new AC.SerializationContext();
  const declared = typeof json.version === "string" ? AC.Version.parse(json.version, context) : undefined;
  if (declared && declared.isValid) context.targetVersion = declared;
  const extra = [];
  context.onParseElement = (element, source) => unknownProperties(element, source, describe(element), extra);
  context.onParseAction = (action, source) => unknownProperties(action, source, describe(action), extra);

  const card = new AC.AdaptiveCard();
  card.parse(json, context);
  unknownProperties(card, json, "AdaptiveCard", extra);

  const events = [];
  for (let i = 0; i < context.eventCount; i++) events.push(context.getEventAt(i));
  events.push(...card.validateProperties().validationEvents);

  const errors = [];
  const warnings = [...extra];
  for (const event of events) (WARNING_EVENTS.has(event.event) ? warnings : errors).push(finding(event));
  return { file, targetVersion: context.targetVersion.toString(), errors, warnings };
}

const files = process.argv.slice(2);
if (files.length === 0) {
  process.stderr.write("usage: node ac_validate.mjs CARD.json ...\n");
  process.exit(2);
}
const cards = [];
for (const file of files) {
  try {
    cards.push(check(file));
  } catch (error) {
    cards.push({ file, errors: [{ phase: "Load", event: "Exception", message: String(error?.stack ?? error), at: "card" }], warnings: [] });
  }
}
process.stdout.write(JSON.stringify({ library: `adaptivecards@${libraryVersion}`, cards }, null, 2) + "\n");
