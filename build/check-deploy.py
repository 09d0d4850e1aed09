#!/usr/bin/env python3
"""Checks the deployment files offline (no cluster, no Docker daemon): the Kubernetes manifests' structure and the way
they fit together (the headless Service and the StatefulSet's seeds, probes on the server's health routes, ports the
Services name, a grace period longer than a stop takes, the disruption budget's selector), the compose file (with
`docker-compose config` when it is installed, and its nodes' seeds and models), and the Dockerfile's stages and user.
Usage: build/check-deploy.py [repository root]. Prints every problem and exits 1 when there is one."""
import json, os, re, shutil, subprocess, sys

import yaml

root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
problems = []


def problem(where, what):
    problems.append(f"{where}: {what}")


def load_all(path):
    with open(path, encoding="utf-8") as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


def arg_after(args, name):
    return args[args.index(name) + 1] if name in args and args.index(name) + 1 < len(args) else None


config = json.load(open(os.path.join(root, "config", "modelactors.json"), encoding="utf-8"))
models = set(config["ModelActors"]["Models"])
grace = config.get("Server", {}).get("ShutdownGrace", "00:00:30")
h, m, s = grace.split(":")
stop_seconds = int(h) * 3600 + int(m) * 60 + float(s) + 5 + 10  # lame duck (5 s), then leaving the cluster (up to 10 s)

# Kubernetes
k8s = os.path.join(root, "deploy", "kubernetes")
docs = {}
for name in sorted(os.listdir(k8s)):
    if not name.endswith(".yaml") or name == "kustomization.yaml":
        continue
    for doc in load_all(os.path.join(k8s, name)):
        for key in ("apiVersion", "kind", "metadata"):
            if key not in doc:
                problem(name, f"a document has no {key}")
        if "metadata" in doc and not doc["metadata"].get("name"):
            problem(name, f"a {doc.get('kind')} has no metadata.name")
        docs.setdefault(doc.get("kind"), []).append((name, doc))

kustomization = yaml.safe_load(open(os.path.join(k8s, "kustomization.yaml"), encoding="utf-8"))
listed = set(kustomization.get("resources", []))
for name in os.listdir(k8s):
    if name.endswith(".yaml") and name != "kustomization.yaml" and name not in listed:
        problem("kustomization.yaml", f"does not list {name}")

services = {d["metadata"]["name"]: (f, d) for f, d in docs.get("Service", [])}
sets = docs.get("StatefulSet", [])
if len(sets) != 1:
    problem("kubernetes", f"expected one StatefulSet, found {len(sets)}")
for file, st in sets:
    spec = st.get("spec", {})
    template = spec.get("template", {})
    labels = template.get("metadata", {}).get("labels", {})
    selector = spec.get("selector", {}).get("matchLabels", {})
    if not selector or any(labels.get(k) != v for k, v in selector.items()):
        problem(file, "the selector does not match the pod template's labels")
    headless = services.get(spec.get("serviceName"))
    if headless is None:
        problem(file, f"serviceName {spec.get('serviceName')!r} names no Service")
    else:
        hs = headless[1]["spec"]
        if hs.get("clusterIP") != "None":
            problem(headless[0], "the StatefulSet's Service is not headless (clusterIP: None)")
        if not hs.get("publishNotReadyAddresses"):
            problem(headless[0], "the headless Service must publish pods that are not ready (seeds must resolve before readiness)")
    if spec.get("podManagementPolicy") != "Parallel":
        problem(file, "pods must start in parallel (a node is ready only once the nodes hosting its models are up)")
    pod = template.get("spec", {})
    if pod.get("terminationGracePeriodSeconds", 30) <= stop_seconds:
        problem(file, f"terminationGracePeriodSeconds must exceed a stop ({stop_seconds:.0f} s: lame duck, leave, drain)")
    containers = pod.get("containers", [])
    if len(containers) != 1:
        problem(file, "expected one container")
    for c in containers:
        for key in ("name", "image"):
            if not c.get(key):
                problem(file, f"the container has no {key}")
        ports = {p.get("name"): p.get("containerPort") for p in c.get("ports", [])}
        for probe, path in (("readinessProbe", "/v2/health/ready"), ("livenessProbe", "/v2/health/live")):
            get = c.get(probe, {}).get("httpGet", {})
            if get.get("path") != path:
                problem(file, f"{probe} must GET {path}")
            if get.get("port") not in ports and get.get("port") not in ports.values():
                problem(file, f"{probe} names port {get.get('port')!r}, which the container does not have")
        if not c.get("resources", {}).get("requests"):
            problem(file, "the container has no resource requests")
        args = c.get("args", [])
        if "--cluster" not in args:
            problem(file, "the server is not started with --cluster")
        port = arg_after(args, "--cluster-port")
        if port is None or ports.get("akka-remote") != int(port):
            problem(file, "--cluster-port must be the container's akka-remote port")
        seeds = (arg_after(args, "--cluster-seeds") or "").split(",")
        for seed in seeds:
            match = re.fullmatch(r"akka\.tcp://model-actors@([a-z0-9-]+)-(\d+)\.([a-z0-9-]+)\.\$\(POD_NAMESPACE\)\.svc\.cluster\.local:(\d+)", seed)
            if not match:
                problem(file, f"seed {seed!r} is not akka.tcp://model-actors@<pod>.<headless service>.$(POD_NAMESPACE).svc.cluster.local:<port>")
                continue
            if match.group(1) != st["metadata"]["name"] or int(match.group(2)) >= spec.get("replicas", 1) or match.group(3) != spec.get("serviceName") or match.group(4) != port:
                problem(file, f"seed {seed!r} is not one of this StatefulSet's pods on its cluster port")
        public = arg_after(args, "--cluster-public-hostname") or ""
        if not public.startswith("$(POD_NAME)." + str(spec.get("serviceName")) + "."):
            problem(file, "--cluster-public-hostname must be the pod's stable name under the headless Service")
        for svc_file, svc in services.values():
            if any(svc["spec"].get("selector", {}).get(k) != v for k, v in labels.items() if k in svc["spec"].get("selector", {})) or not svc["spec"].get("selector"):
                problem(svc_file, f"Service {svc['metadata']['name']} does not select the StatefulSet's pods")
            for p in svc["spec"].get("ports", []):
                target = p.get("targetPort", p.get("port"))
                if target not in ports and target not in ports.values():
                    problem(svc_file, f"Service {svc['metadata']['name']} targets port {target!r}, which the container does not have")
for file, pdb in docs.get("PodDisruptionBudget", []):
    if sets and pdb.get("spec", {}).get("selector", {}).get("matchLabels") != sets[0][1]["spec"]["selector"]["matchLabels"]:
        problem(file, "the PodDisruptionBudget does not select the StatefulSet's pods")
if "PodDisruptionBudget" not in docs:
    problem("kubernetes", "no PodDisruptionBudget")

# Compose
compose_path = os.path.join(root, "deploy", "compose.yaml")
compose = yaml.safe_load(open(compose_path, encoding="utf-8"))
hosted = set()
for name, svc in compose.get("services", {}).items():
    command = svc.get("command", [])
    if arg_after(command, "--cluster-public-hostname") != svc.get("hostname", name):
        problem("compose.yaml", f"{name}: --cluster-public-hostname must be its hostname")
    for seed in (arg_after(command, "--cluster-seeds") or "").split(","):
        host = re.fullmatch(r"akka\.tcp://model-actors@([a-z0-9-]+):4053", seed)
        if not host or host.group(1) not in compose["services"]:
            problem("compose.yaml", f"{name}: seed {seed!r} is not a node of this file on port 4053")
    hosted |= set((arg_after(command, "--cluster-models") or "").split(","))
if models - hosted:
    problem("compose.yaml", f"no node hosts {sorted(models - hosted)}")
if hosted - models:
    problem("compose.yaml", f"nodes host models the configuration does not have: {sorted(hosted - models)}")
if not shutil.which("docker-compose"):
    print("note: docker-compose is not installed; compose.yaml was checked by this script alone (.ci/run installs it)")
else:
    run = subprocess.run(["docker-compose", "-f", compose_path, "config", "-q"], capture_output=True, text=True)
    if run.returncode != 0:
        problem("compose.yaml", "docker-compose config: " + (run.stderr or run.stdout).strip())

# Dockerfile
dockerfile = open(os.path.join(root, "Dockerfile"), encoding="utf-8").read()
stages = re.findall(r"^FROM\s+\S+\s+AS\s+(\S+)", dockerfile, re.M | re.I)
if len(stages) < 2:
    problem("Dockerfile", "expected a multi-stage build (a build stage and a runtime stage)")
users = re.findall(r"^USER\s+(\S+)", dockerfile, re.M)
if not users or not re.fullmatch(r"\$APP_UID|\$\{APP_UID\}|[1-9][0-9]*", users[-1]):
    problem("Dockerfile", "the runtime stage must run as a non-root user given by number (runAsNonRoot cannot verify a name)")
for port in ("5080", "5081", "4053"):
    if not re.search(rf"^EXPOSE\b.*\b{port}\b", dockerfile, re.M):
        problem("Dockerfile", f"does not expose {port}")
if not re.search(r"^ENTRYPOINT\s", dockerfile, re.M):
    problem("Dockerfile", "has no ENTRYPOINT")

for p in problems:
    print(p)
print("deploy files: " + ("ok" if not problems else f"{len(problems)} problem(s)"))
sys.exit(1 if problems else 0)
