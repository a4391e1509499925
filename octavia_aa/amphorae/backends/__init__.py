"""What runs inside an amphora (agent, HAProxy control, heartbeats).

Nothing here may import the controller, SQLAlchemy, oslo.messaging or
taskflow: the agent must stay small (target RSS <= 40 MB).
"""
