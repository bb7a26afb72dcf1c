using System.ComponentModel;
using Microsoft.SemanticKernel;

namespace ContextPress.Evals.World.Apps;

internal sealed class CalendarApp(SimWorld world) : AppBase(world, "calendar")
{
    [KernelFunction("login"), Description("Logs in to the calendar app; returns an access token.")]
    public string Login(string username, string password) => DoLogin(username, password);

    [KernelFunction("search_events"), Description("Searches calendar events by title, location or description, by start time, paginated.")]
    public string SearchEvents(string access_token, string query, int page = 1)
    {
        if (Unauthorized("search_events", access_token) is { } error)
        {
            return error;
        }

        (IReadOnlyList<CalendarEvent> items, PageInfo info) = SimWorld.Paginate(World.SearchEvents(query), page, SimWorld.EventsPageSize);
        return World.Respond("calendar.search_events", items, info);
    }

    [KernelFunction("reschedule_event"), Description("Moves an event to a new start time (ISO 8601, UTC), keeping its length; returns the updated event.")]
    public string RescheduleEvent(string access_token, string event_id, string new_start)
    {
        if (Unauthorized("reschedule_event", access_token) is { } error)
        {
            return error;
        }

        CalendarEvent? found = World.Events.FirstOrDefault(e => e.EventId == event_id);
        if (found is null || !DateTimeOffset.TryParse(new_start, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out DateTimeOffset start))
        {
            return World.Error("calendar.reschedule_event", 400, "Unknown event or invalid start time.");
        }

        TimeSpan length = DateTimeOffset.Parse(found.EndsAt, System.Globalization.CultureInfo.InvariantCulture) - DateTimeOffset.Parse(found.StartsAt, System.Globalization.CultureInfo.InvariantCulture);
        found.StartsAt = SimWorld.Stamp(start.ToUniversalTime());
        found.EndsAt = SimWorld.Stamp(start.ToUniversalTime() + length);
        World.Record("calendar.reschedule_event", ("event_id", event_id), ("new_start", new_start));
        return World.Respond("calendar.reschedule_event", found);
    }
}
