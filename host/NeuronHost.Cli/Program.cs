Console.WriteLine("neuronhost: not written yet.");
