"""The exchange gateway's robot (PRODUCT §3.10), registered with the others in
``bindings.ROBOTS``: the last step of a business process started by ``workflow.start``.

Bitrix24 calls it with the running workflow's ``workflow_id`` (REST_FACTS §12), which is
how the result finds the request that started that workflow. ``values`` is a JSON object
(«{"approved": "Y", "sum": "1500.00"}») built in the template from the workflow's
variables; the robot endpoint refuses a malformed one with 4xx and a reason.
"""

from typing import Any

EXCHANGE_ROBOTS: tuple[dict[str, Any], ...] = (
    {
        "CODE": "b24bridge_workflow_result",
        "NAME": {
            "ru": "b24bridge: вернуть результат во внешнюю систему",
            "en": "b24bridge: return the result to the external system",
        },
        "action": "workflow_result",
        "PROPERTIES": {
            "status": {
                "Name": {"ru": "Итог процесса", "en": "Outcome"},
                "Type": "select",
                "Options": {"finished": "Завершён успешно", "failed": "Завершён с ошибкой"},
                "Default": "finished",
                "Required": "N",
            },
            "values": {
                "Name": {
                    "ru": "Значения для внешней системы (JSON-объект)",
                    "en": "Values for the external system (a JSON object)",
                },
                "Type": "text",
                "Required": "N",
            },
            "message": {
                "Name": {"ru": "Комментарий", "en": "Comment"},
                "Type": "string",
                "Required": "N",
            },
        },
    },
)
