using System.Text;
using ContextPress.Cli;

// Compressed text goes to stdout as UTF-8 without a BOM, whatever the console's code page.
await using var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
return await ContextPressCli.InvokeAsync(args, Console.OpenStandardInput(), Console.IsInputRedirected, stdout, Console.Error);
