"""/settings and the audit log as admins see them in chat."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "cmd_settings": {
        "en": "Admin: show or change settings without a restart",
        "zh": "管理员:查看或修改设置(无需重启)",
    },
    "opt_setting_key": {
        "en": "The setting (e.g. MAX_JOBS_PER_USER), or audit for recent changes",
        "zh": "设置名称(例如 MAX_JOBS_PER_USER),或 audit 查看最近的修改",
    },
    "opt_setting_value": {"en": "Its new value", "zh": "新的值"},
    "opt_setting_reset": {
        "en": "Back to the environment's value",
        "zh": "恢复为环境变量的值",
    },
    "settings_list": {
        "en": "⚙️ Settings (the database's value over the environment's):",
        "zh": "⚙️ 设置(数据库中的值优先于环境变量):",
    },
    "settings_line": {"en": "{name} = {value} ({source})", "zh": "{name} = {value}({source})"},
    "settings_database": {"en": "changed at run time", "zh": "运行时修改"},
    "settings_environment": {"en": "environment", "zh": "环境变量"},
    "settings_empty": {"en": "(none)", "zh": "(无)"},
    "settings_usage": {
        "en": "Change: /settings KEY VALUE · back to the environment's: /settings reset KEY · "
        "recent changes: /settings audit",
        "zh": "修改:/settings 名称 值 · 恢复环境变量的值:/settings reset 名称 · "
        "最近的操作:/settings audit",
    },
    "settings_set_ok": {
        "en": "✅ {name}: {before} → {after}, in effect now.",
        "zh": "✅ {name}:{before} → {after},已立即生效。",
    },
    "settings_reset_ok": {
        "en": "✅ {name} is the environment's again: {before} → {after}.",
        "zh": "✅ {name} 已恢复为环境变量的值:{before} → {after}。",
    },
    "settings_refused": {
        "en": "⚠️ Not changed: {problem}",
        "zh": "⚠️ 未修改:{problem}",
    },
    "audit_header": {
        "en": "📜 Recent admin actions (UTC):",
        "zh": "📜 最近的管理操作(UTC):",
    },
    "audit_line": {
        "en": "{at} {actor} {action} {target}: {before} → {after}",
        "zh": "{at} {actor} {action} {target}:{before} → {after}",
    },
    "audit_none": {
        "en": "📜 No admin actions in the last 7 days.",
        "zh": "📜 最近 7 天没有管理操作。",
    },
}
