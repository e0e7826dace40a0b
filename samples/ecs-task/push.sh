#!/usr/bin/env bash
# An Amazon ECS task definition, typed as the OCI artifacts guidance (samples/README.md) proposes: config and layer application/vnd.aws.ecs.task.v1+json.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

cat > "$work/task-definition.json" <<'JSON'
{
  "family": "hello-world",
  "networkMode": "awsvpc",
  "requiresCompatibilities": ["FARGATE"],
  "cpu": "256",
  "memory": "512",
  "containerDefinitions": [
    {"name": "hello", "image": "127.0.0.1:5000/samples/image/hello-world:1.0", "essential": true,
     "command": ["cat", "/hello.txt"]}
  ]
}
JSON
cd "$work"
berth push --plain-http "$REGISTRY/samples/ecs-task/hello-world:1.0" \
  --config task-definition.json:application/vnd.aws.ecs.task.v1+json \
  task-definition.json:application/vnd.aws.ecs.task.v1+json
