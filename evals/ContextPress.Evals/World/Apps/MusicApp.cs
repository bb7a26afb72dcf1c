using System.ComponentModel;
using Microsoft.SemanticKernel;

namespace ContextPress.Evals.World.Apps;

internal sealed class MusicApp(SimWorld world) : AppBase(world, "music")
{
    [KernelFunction("login"), Description("Logs in to the music app; returns an access token.")]
    public string Login(string username, string password) => DoLogin(username, password);

    [KernelFunction("search_songs"), Description("Searches songs by title, artist, album or genre, paginated.")]
    public string SearchSongs(string access_token, string query, int page = 1)
    {
        if (Unauthorized("search_songs", access_token) is { } error)
        {
            return error;
        }

        (IReadOnlyList<Song> items, PageInfo info) = SimWorld.Paginate(World.SearchSongs(query), page, SimWorld.SongsPageSize);
        return World.Respond("music.search_songs", items, info);
    }

    [KernelFunction("create_playlist"), Description("Creates an empty playlist; returns its id.")]
    public string CreatePlaylist(string access_token, string name)
    {
        if (Unauthorized("create_playlist", access_token) is { } error)
        {
            return error;
        }

        var playlist = new Playlist(SimWorld.IdFor("pl", name), name, [], "Created by the assistant.");
        World.Playlists.Add(playlist);
        World.Record("music.create_playlist", ("name", name));
        return World.Respond("music.create_playlist", playlist);
    }

    [KernelFunction("add_song_to_playlist"), Description("Adds one song to a playlist.")]
    public string AddSongToPlaylist(string access_token, string playlist_id, string song_id)
    {
        if (Unauthorized("add_song_to_playlist", access_token) is { } error)
        {
            return error;
        }

        Playlist? playlist = World.Playlists.FirstOrDefault(p => p.PlaylistId == playlist_id);
        if (playlist is null || World.Songs.All(s => s.SongId != song_id))
        {
            return World.Error("music.add_song_to_playlist", 404, "Unknown playlist or song.");
        }

        playlist.SongIds.Add(song_id);
        World.Record("music.add_song_to_playlist", ("playlist_id", playlist_id), ("song_id", song_id));
        return World.Respond("music.add_song_to_playlist", new { playlist_id, song_id, position = playlist.SongIds.Count, status = "added" });
    }
}
