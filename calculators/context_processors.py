from . import registry


def site(request):
    return {"tool_groups": registry.grouped()}
