using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;

namespace ContextPress.Torch.Tests;

/// <summary>The build marks GLIBCXX_3.4.32 weak in the copied libLibTorchSharp.so where the host's libstdc++ lacks it (build/weaken_glibcxx.py).</summary>
public sealed class NativeLibraryPatchTests
{
    private const string Version = "GLIBCXX_3.4.32";

    /// <summary>vna_flags of every Vernaux entry in .gnu.version_r, by version name.</summary>
    internal static Dictionary<string, ushort> VersionNeeds(byte[] elf)
    {
        var d = elf.AsSpan();
        Assert.True(d[..4].SequenceEqual("\u007fELF"u8) && d[4] == 2 && d[5] == 1, "ELF64 little-endian expected");
        var shoff = (int)BinaryPrimitives.ReadUInt64LittleEndian(d[0x28..]);
        int shentsize = BinaryPrimitives.ReadUInt16LittleEndian(d[0x3A..]);
        int shnum = BinaryPrimitives.ReadUInt16LittleEndian(d[0x3C..]);
        var needs = new Dictionary<string, ushort>();
        for (var i = 0; i < shnum; i++)
        {
            var sh = d[(shoff + i * shentsize)..];
            if (BinaryPrimitives.ReadUInt32LittleEndian(sh[4..]) != 0x6FFFFFFE)
            {
                continue;
            }
            var offset = (int)BinaryPrimitives.ReadUInt64LittleEndian(sh[24..]);
            var link = (int)BinaryPrimitives.ReadUInt32LittleEndian(sh[40..]);
            var count = (int)BinaryPrimitives.ReadUInt32LittleEndian(sh[44..]);
            var strtab = (int)BinaryPrimitives.ReadUInt64LittleEndian(d[(shoff + link * shentsize + 24)..]);
            var vn = offset;
            for (var n = 0; n < count; n++)
            {
                int cnt = BinaryPrimitives.ReadUInt16LittleEndian(d[(vn + 2)..]);
                var aux = vn + (int)BinaryPrimitives.ReadUInt32LittleEndian(d[(vn + 8)..]);
                for (var a = 0; a < cnt; a++)
                {
                    var flags = BinaryPrimitives.ReadUInt16LittleEndian(d[(aux + 4)..]);
                    var name = strtab + (int)BinaryPrimitives.ReadUInt32LittleEndian(d[(aux + 8)..]);
                    needs[Encoding.ASCII.GetString(d[name..].Slice(0, d[name..].IndexOf((byte)0)))] = flags;
                    aux += (int)BinaryPrimitives.ReadUInt32LittleEndian(d[(aux + 12)..]);
                }
                vn += (int)BinaryPrimitives.ReadUInt32LittleEndian(d[(vn + 12)..]);
            }
        }
        return needs;
    }

    private static bool HostHasVersion()
    {
        foreach (var path in new[] { "/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib64/libstdc++.so.6", "/usr/lib64/libstdc++.so.6" })
        {
            if (File.Exists(path))
            {
                return File.ReadAllBytes(path).AsSpan().IndexOf(Encoding.ASCII.GetBytes(Version + "\0")) >= 0;
            }
        }
        return false;
    }

    private static string? PackagedLibrary()
    {
        var root = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var path = Path.Combine(root, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        return File.Exists(path) ? path : null;
    }

    private static string? Script()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "build", "weaken_glibcxx.py");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    [Fact]
    public void CopiedLibraryHasTheVersionNeedMarkedWeakWhereTheHostLacksIt()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "Linux only");
        var copied = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assert.SkipUnless(File.Exists(copied), "no linux-x64 libLibTorchSharp.so in the output");
        var needs = VersionNeeds(File.ReadAllBytes(copied));
        Assert.True(needs.ContainsKey(Version), $"TorchSharp 0.107 is expected to need {Version}");
        Assert.Contains("GLIBCXX_3.4.30", needs.Keys);
        if (!HostHasVersion())
        {
            Assert.Equal(2, needs[Version] & 2);
            Assert.All(needs.Where(n => n.Key != Version), n => Assert.Equal(0, n.Value & 2));
        }

        // The NuGet cache keeps the original bytes.
        if (PackagedLibrary() is { } packaged)
        {
            Assert.Equal(0, VersionNeeds(File.ReadAllBytes(packaged))[Version] & 2);
        }
    }

    [Fact]
    public void PatcherChangesOnlyThatFlagAndIsIdempotent()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "Linux only");
        var packaged = PackagedLibrary();
        var script = Script();
        Assert.SkipWhen(packaged is null || script is null, "needs the TorchSharp package in the NuGet cache and build/weaken_glibcxx.py");
        var dir = Directory.CreateTempSubdirectory("cp-elf-").FullName;
        try
        {
            var copy = Path.Combine(dir, "libLibTorchSharp.so");
            File.Copy(packaged, copy);
            var original = File.ReadAllBytes(copy);
            var mtime = File.GetLastWriteTimeUtc(copy);

            Assert.Equal(0, Run(script, copy));
            var patched = File.ReadAllBytes(copy);
            Assert.Equal(original.Length, patched.Length);
            var changed = Enumerable.Range(0, original.Length).Where(i => original[i] != patched[i]).ToList();
            Assert.Single(changed); // one byte of one vna_flags field
            Assert.Equal(2, VersionNeeds(patched)[Version] & 2);
            Assert.Equal(mtime, File.GetLastWriteTimeUtc(copy)); // keeps MSBuild's incremental copy from restoring the original

            Assert.Equal(0, Run(script, copy));
            Assert.Equal(patched, File.ReadAllBytes(copy));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static int Run(string script, string file)
    {
        ProcessStartInfo start;
        try
        {
            start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add(script);
            start.ArgumentList.Add("--force");
            start.ArgumentList.Add(file);
            using var process = Process.Start(start)!;
            process.StandardOutput.ReadToEnd();
            process.StandardError.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Assert.Skip("python3 is not installed");
            throw;
        }
    }
}
