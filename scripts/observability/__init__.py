"""Prometheus rules, Alertmanager configuration and Grafana dashboards of agente-hotel, as code."""
