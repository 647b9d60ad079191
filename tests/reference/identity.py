"""Identity components: the anchor and customer_key of every identifier node, by union-find."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from .project_vars import project_var

# Node types from the most to the least durable: the anchor of a component is its first node
# in this order, then by id.
NODE_TYPE_RANK = {
    "member": 1,
    "phone": 2,
    "unionid": 3,
    "email": 4,
    "openid": 5,
    "wecom": 6,
    "click": 7,
}


def sort_key(node_id: str) -> tuple[int, str]:
    return NODE_TYPE_RANK[node_id.split(":", 1)[0]], node_id


def connected_components(edges: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Anchor (minimum node by type rank, then id) of every node's component."""
    parent: dict[str, str] = {}

    def find(node: str) -> str:
        root = parent.setdefault(node, node)
        while root != parent[root]:
            root = parent[root]
        # Path compression keeps long chains of the demo graph from making this quadratic.
        while node != root:
            parent[node], node = root, parent[node]
        return root

    for node_a, node_b in edges:
        root_a, root_b = find(node_a), find(node_b)
        if root_a != root_b:
            parent[max(root_a, root_b, key=sort_key)] = min(root_a, root_b, key=sort_key)
    return {node: find(node) for node in parent}


def customer_key(anchor_node_id: str, salt: str | None = None) -> str:
    """md5 of the salt and the anchor; the salt defaults to the ``customer_key_salt`` var."""
    salt = str(project_var("customer_key_salt")) if salt is None else salt
    return hashlib.md5((salt + anchor_node_id).encode()).hexdigest()
