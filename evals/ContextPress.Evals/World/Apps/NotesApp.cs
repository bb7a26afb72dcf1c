using System.ComponentModel;
using Microsoft.SemanticKernel;

namespace ContextPress.Evals.World.Apps;

internal sealed class NotesApp(SimWorld world) : AppBase(world, "notes")
{
    [KernelFunction("login"), Description("Logs in to the notes app; returns an access token.")]
    public string Login(string username, string password) => DoLogin(username, password);

    [KernelFunction("search_notes"), Description("Searches notes by title, tag or text, newest first, paginated.")]
    public string SearchNotes(string access_token, string query, int page = 1)
    {
        if (Unauthorized("search_notes", access_token) is { } error)
        {
            return error;
        }

        (IReadOnlyList<Note> items, PageInfo info) = SimWorld.Paginate(World.SearchNotes(query), page, SimWorld.NotesPageSize);
        return World.Respond("notes.search_notes", items.Select(n => new { n.NoteId, n.Title, n.Tags, n.UpdatedAt, preview = n.Body.Length > 500 ? n.Body[..500] + "…" : n.Body }).ToList(), info);
    }

    [KernelFunction("read_note"), Description("Reads one note in full.")]
    public string ReadNote(string access_token, string note_id) =>
        Unauthorized("read_note", access_token)
        ?? (World.Notes.FirstOrDefault(n => n.NoteId == note_id) is { } note
            ? World.Respond("notes.read_note", note)
            : World.Error("notes.read_note", 404, $"No note with id {note_id}."));
}
