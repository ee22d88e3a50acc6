#!/usr/bin/env python3
"""Writes the Helm chart's object templates (deploy/helm/mooring/templates/objects-*.yaml) from the
kustomize overlays, so that the chart and the kustomize manifests cannot drift apart.

The overlays are rendered with `kubectl kustomize` (the real-cloud overlay `vultr` and the
single-machine overlay `local`); each object becomes a template in which the values a user sets
are Helm expressions:

  - the namespace                          -> the release's namespace
  - every container image                  -> .Values.images.<key>.repository/.tag
  - `--api-url=…` of the cloud clients     -> .Values.cloud.apiURL (or the local cloud's address)
  - the API key Secret's name              -> .Values.apiKey.existingSecret
  - the main containers' resources,        -> .Values.<component>.resources/.nodeSelector/
    the pods' nodeSelector and tolerations     .tolerations
  - csi-controller's region                -> .Values.cloud.region, when set
  - which objects are installed            -> .Values.components.<component>, .Values.localCloud.enabled

An object that the two overlays render differently gets both forms, chosen by
.Values.localCloud.enabled; an object only the local overlay has is installed only with it.
Tests/interop/test_helm.py renders the chart with helm and compares it with kustomize's output.

Usage: hack/generate/update-helm-chart.py [--check]   (--check: exit 1 when the committed files differ)
"""
import os
import pathlib
import re
import shutil
import subprocess
import sys

import yaml

REPO = pathlib.Path(__file__).resolve().parents[2]
KUBE = REPO / "deploy" / "kubernetes"
CHART = REPO / "deploy" / "helm" / "mooring"
PREFIX = "objects-"

# Component label -> values key of its on/off switch and settings.
COMPONENTS = {
    "csi-controller": "csiController",
    "csi-node": "csiNode",
    "cloud-controller-manager": "cloudControllerManager",
    "localcloud": "localCloud",
}
# The main container of each workload: the one whose resources the values set.
MAIN_CONTAINER = {"csiController": "csi-controller", "csiNode": "csi-node",
                  "cloudControllerManager": "cloud-controller-manager", "localCloud": "localcloud"}
API_KEY_SECRET = "mooring-api-key"
VULTR_API_URL = "https://api.vultr.com"


def kubectl() -> str:
    venv = REPO / ".venv" / "bin" / "kubectl"
    found = os.environ.get("MOORING_KUBECTL") or (str(venv) if venv.exists() else shutil.which("kubectl"))
    if not found:
        sys.exit("update-helm-chart: kubectl not found (hack/install-deps.sh puts one in .venv/bin)")
    return found


def render(overlay: str) -> list:
    out = subprocess.run([kubectl(), "kustomize", str(KUBE / "overlays" / overlay)],
                         capture_output=True, text=True, check=True)
    return [d for d in yaml.safe_load_all(out.stdout) if d]


def key(obj: dict) -> tuple:
    return (obj["kind"], obj["metadata"]["name"])


def image_key(image: str) -> str:
    name = image.rsplit("/", 1)[-1].split(":", 1)[0]
    head, *rest = name.split("-")
    return head + "".join(part.capitalize() for part in rest)


def component_of(obj: dict):
    label = obj["metadata"].get("labels", {}).get("app.kubernetes.io/component")
    if label in COMPONENTS:
        return COMPONENTS[label]
    return {"StorageClass": "storageClasses", "VolumeSnapshotClass": "volumeSnapshotClass",
            "CSIDriver": "csiDriver"}.get(obj["kind"])


class Templater:
    """Replaces values in an object with placeholders, then the placeholders with Helm text."""

    def __init__(self):
        self.inline = {}   # placeholder -> Helm expression inside a scalar
        self.blocks = {}   # placeholder -> (Helm expression yielding YAML, extra indent)
        self.items = {}    # placeholder list item -> Helm text standing for zero or more items
        self.optionals = {}  # placeholder key -> (field, Helm expression): the field only when set

    def scalar(self, expression: str) -> str:
        token = f"ZZH{len(self.inline)}ZZ"
        self.inline[token] = expression
        return token

    def block(self, expression: str) -> str:
        token = f"ZZB{len(self.blocks)}ZZ"
        self.blocks[token] = expression
        return token

    def optional(self, field: str, expression: str) -> str:
        token = f"ZZO{len(self.optionals)}ZZ"
        self.optionals[token] = (field, expression)
        return token

    def item(self, text: list) -> str:
        token = f"ZZI{len(self.items)}ZZ"
        self.items[token] = text
        return token

    def finish(self, text: str) -> str:
        lines = []
        for line in text.splitlines():
            stripped = line.strip()
            if stripped.startswith("- ZZI"):
                indent = " " * (len(line) - len(line.lstrip()))
                lines += [indent + item_line for item_line in self.items[stripped[2:]]]
                continue
            optional = re.match(r"^(\s*)(ZZO\d+ZZ): null$", line)
            if optional:
                indent, (field, expression) = optional.group(1), self.optionals[optional.group(2)]
                lines += [f"{indent}{{{{- with {expression} }}}}", f"{indent}{field}:",
                          f"{indent}{{{{- toYaml . | nindent {len(indent) + 2} }}}}", f"{indent}{{{{- end }}}}"]
                continue
            match = re.match(r"^(\s*)(-\s+)?([^:]+): (ZZB\d+ZZ)$", line)
            if match:
                indent = len(match.group(1)) + (len(match.group(2)) if match.group(2) else 0)
                lines.append(f"{match.group(1)}{match.group(2) or ''}{match.group(3)}:")
                lines.append(f"{{{{- {self.blocks[match.group(4)]} | nindent {indent + 2} }}}}")
                continue
            for token, expression in self.inline.items():
                line = line.replace(token, f"{{{{ {expression} }}}}")
            lines.append(line)
        return "\n".join(lines) + "\n"


def template_object(obj: dict, local: bool, t: Templater) -> None:
    component = component_of(obj)

    def walk(node, path):
        if isinstance(node, dict):
            for k, v in list(node.items()):
                if k == "namespace" and v == "kube-system":
                    node[k] = t.scalar(".Release.Namespace")
                elif k == "image" and isinstance(v, str) and path and path[-1] in ("containers", "initContainers"):
                    node[k] = t.scalar(f'include "mooring.image" (list . "{image_key(v)}")')
                elif k == "secretKeyRef" and isinstance(v, dict) and v.get("name") == API_KEY_SECRET:
                    v["name"] = t.scalar(".Values.apiKey.existingSecret")
                elif k == "secret" and isinstance(v, dict) and v.get("secretName") == API_KEY_SECRET:
                    v["secretName"] = t.scalar(".Values.apiKey.existingSecret")
                else:
                    walk(v, path + [k])
        elif isinstance(node, list):
            for i, v in enumerate(node):
                if isinstance(v, str) and v.startswith("--api-url=") and not local:
                    if v != f"--api-url={VULTR_API_URL}":
                        sys.exit(f"update-helm-chart: unexpected {v} in {key(obj)}")
                    node[i] = "--api-url=" + t.scalar(".Values.cloud.apiURL")
                else:
                    walk(v, path)

    walk(obj, [])
    spec = obj.get("spec", {}).get("template", {}).get("spec")
    if spec is None or component not in MAIN_CONTAINER:
        return
    # Every workload takes a nodeSelector and tolerations from the values (the defaults are the
    # manifests'), placed where the manifests have them, else after the service account.
    for field in ("nodeSelector", "tolerations"):
        placeholder = t.optional(field, f".Values.{component}.{field}")
        if field in spec:
            items = [(placeholder, None) if k == field else (k, v) for k, v in spec.items()]
        else:
            items = list(spec.items()) + [(placeholder, None)]
        spec.clear()
        spec.update(items)
    for container in spec.get("containers", []):
        if container["name"] == MAIN_CONTAINER[component] and "resources" in container:
            container["resources"] = t.block(f".Values.{component}.resources | toYaml")
        if container["name"] == "csi-controller" and not local:
            container["args"].append(t.item(
                ["{{- with .Values.cloud.region }}", "- --region={{ . }}", "{{- end }}"]))


def dump(obj: dict) -> str:
    return yaml.safe_dump(obj, sort_keys=False, default_flow_style=False, width=1000)


def condition(component):
    if component is None:
        return None
    if component == "localCloud":
        return ".Values.localCloud.enabled"
    return f".Values.components.{component}"


def generate() -> dict:
    cloud = {key(o): o for o in render("vultr")}
    local = {key(o): o for o in render("local")}
    order = list(cloud) + [k for k in local if k not in cloud]
    files: dict = {}
    for k in order:
        component = component_of(cloud.get(k) or local[k])
        forms = []
        if k in cloud and k in local and cloud[k] == local[k]:
            forms.append((None, cloud[k], False))
        else:
            if k in cloud:
                forms.append(("not .Values.localCloud.enabled", cloud[k], False))
            if k in local:
                forms.append((".Values.localCloud.enabled", local[k], True))
        text = ""
        for guard, obj, is_local in forms:
            t = Templater()
            obj = yaml.safe_load(yaml.safe_dump(obj))
            template_object(obj, is_local, t)
            body = t.finish(dump(obj))
            guards = [g for g in (condition(component), guard) if g]
            if guards:
                expression = guards[0] if len(guards) == 1 else "and " + " ".join(f"({g})" for g in guards)
                text += f"{{{{- if {expression} }}}}\n---\n{body}{{{{- end }}}}\n"
            else:
                text += f"---\n{body}"
        name = (component or "shared")
        files.setdefault(name, "")
        files[name] += text
    header = ("# Generated by hack/generate/update-helm-chart.py from deploy/kubernetes/overlays/{vultr,local};\n"
              "# do not edit: change the kustomize manifests and run the script again.\n")
    def file_name(component: str) -> str:
        return PREFIX + re.sub(r"(?<!^)([A-Z])", r"-\1", component).lower() + ".yaml"

    return {file_name(n): header + body for n, body in files.items()}


def main() -> int:
    check = "--check" in sys.argv[1:]
    wanted = generate()
    templates = CHART / "templates"
    present = {p.name for p in templates.glob(f"{PREFIX}*.yaml")}
    stale = sorted(n for n in wanted if not (templates / n).exists() or (templates / n).read_text() != wanted[n])
    stale += sorted(present - set(wanted))
    if check:
        if stale:
            print("update-helm-chart: the chart's object templates are stale; run hack/generate/update-helm-chart.py:",
                  *stale, sep="\n  ", file=sys.stderr)
            return 1
        print("update-helm-chart: up to date")
        return 0
    templates.mkdir(parents=True, exist_ok=True)
    for name in present - set(wanted):
        (templates / name).unlink()
    for name, text in wanted.items():
        (templates / name).write_text(text)
    print(f"update-helm-chart: wrote {len(wanted)} templates" + (f" ({len(stale)} changed)" if stale else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
