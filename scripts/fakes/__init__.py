"""Faithful fakes of the outside world (Meta Graph API, QloApps) for the local stack and the tests."""
