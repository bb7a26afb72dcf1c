using System.ComponentModel;
using Microsoft.SemanticKernel;

namespace ContextPress.Evals.World.Apps;

internal sealed class FilesApp(SimWorld world) : AppBase(world, "files")
{
    [KernelFunction("login"), Description("Logs in to the files app; returns an access token.")]
    public string Login(string username, string password) => DoLogin(username, password);

    [KernelFunction("list_directory"), Description("Lists the files under a folder, paginated.")]
    public string ListDirectory(string access_token, string path, int page = 1)
    {
        if (Unauthorized("list_directory", access_token) is { } error)
        {
            return error;
        }

        (IReadOnlyList<FileEntry> items, PageInfo info) = SimWorld.Paginate(World.ListDirectory(path), page, SimWorld.FilesPageSize);
        return World.Respond("files.list_directory", items.Select(f => new { f.FileId, f.Path, f.Name, f.SizeBytes, f.ModifiedAt, f.Owner, f.Description }).ToList(), info);
    }

    [KernelFunction("read_file"), Description("Reads a file's whole content.")]
    public string ReadFile(string access_token, string file_id) =>
        Unauthorized("read_file", access_token)
        ?? (World.Files.FirstOrDefault(f => f.FileId == file_id) is { } file
            ? World.Respond("files.read_file", new { file.FileId, file.Path, file.SizeBytes, encoding = "utf-8", content = file.Content })
            : World.Error("files.read_file", 404, $"No file with id {file_id}."));

    [KernelFunction("share_file"), Description("Shares a file with someone by e-mail.")]
    public string ShareFile(string access_token, string file_id, string email)
    {
        if (Unauthorized("share_file", access_token) is { } error)
        {
            return error;
        }

        World.Record("files.share_file", ("file_id", file_id), ("email", email));
        return World.Respond("files.share_file", new { file_id, shared_with = email, permission = "view", link = $"https://files.sim/s/{SimWorld.Hash(file_id + email, 12)}" });
    }
}
