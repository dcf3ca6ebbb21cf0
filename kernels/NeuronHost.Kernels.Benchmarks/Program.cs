Console.WriteLine("NeuronHost kernel benchmarks: not written yet.");
